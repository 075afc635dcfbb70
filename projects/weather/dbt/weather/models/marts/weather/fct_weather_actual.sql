with

observations as (

    select * from {{ ref('stg_openweathermap__observations') }}

),

final as (

    select
        city_id,
        observed_hour,
        condition_id,
        observation_source,
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
        rain_mm,
        snow_mm,
        loaded_at,
        cast(observed_hour as date) as observed_date,
        city_id || '@' || cast(observed_hour as varchar) as weather_actual_key,
        rain_mm + snow_mm > 0 as is_wet

    from observations

)

select * from final
