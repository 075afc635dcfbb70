with

source as (

    select * from {{ source('openweathermap', 'weather_forecast') }}

),

renamed as (

    select
        city_id,
        issued_date,
        issued_at,
        forecast_for,
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
        precipitation_probability,
        rain_3h_mm as rain_mm,
        snow_3h_mm as snow_mm,
        _loaded_at as loaded_at

    from source

)

select * from renamed
