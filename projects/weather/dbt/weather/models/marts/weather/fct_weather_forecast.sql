with

forecasts as (

    select * from {{ ref('stg_openweathermap__forecasts') }}

),

final as (

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
        rain_mm,
        snow_mm,
        loaded_at,
        cast(
            floor((extract(epoch from forecast_for) - extract(epoch from issued_at)) / 3600)
            as integer
        ) as lead_hours,
        city_id
        || '@' || cast(issued_date as varchar)
        || '@' || cast(forecast_for as varchar) as weather_forecast_key

    from forecasts

)

select * from final
