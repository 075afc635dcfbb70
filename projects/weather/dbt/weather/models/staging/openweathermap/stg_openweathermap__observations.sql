with

source as (

    select * from {{ source('openweathermap', 'weather_actual') }}

),

renamed as (

    select
        city_id,
        observed_hour,
        observed_at,
        source as observation_source,
        condition_id,
        temp_c,
        feels_like_c,
        temp_min_c,
        temp_max_c,
        pressure_hpa,
        humidity_pct,
        wind_speed_ms,
        wind_deg,
        wind_gust_ms,
        clouds_pct,
        rain_1h_mm as rain_mm,
        snow_1h_mm as snow_mm,
        _loaded_at as loaded_at

    from source

)

select * from renamed
