with

observations as (

    select * from {{ ref('stg_openweathermap__observations') }}

),

final as (

    select
        city_id || '@' || cast(observed_hour as varchar) as weather_actual_key,
        city_id,
        observed_hour,
        cast(observed_hour as date) as observed_date,
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
        rain_mm + snow_mm > 0 as is_wet,
        loaded_at

    from observations

)

select * from final
