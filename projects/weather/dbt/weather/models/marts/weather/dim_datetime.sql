with

calendar as (

    select datetime_hour
    from generate_series(
        cast('{{ var("calendar_start") }}' as timestamp),
        cast(current_date + {{ var("calendar_days_ahead") }} as timestamp),
        interval '1 hour'
    ) as hours (datetime_hour)

),

parts as (

    select
        datetime_hour,
        cast(datetime_hour as date) as date_day,
        cast(extract(year from datetime_hour) as integer) as year_number,
        cast(extract(month from datetime_hour) as integer) as month_of_year,
        cast(extract(day from datetime_hour) as integer) as day_of_month,
        cast(extract(hour from datetime_hour) as integer) as hour_of_day,
        cast(extract(isodow from datetime_hour) as integer) as iso_day_of_week,
        cast(extract(week from datetime_hour) as integer) as iso_week

    from calendar

),

final as (

    select
        datetime_hour,
        date_day,
        year_number,
        month_of_year,
        day_of_month,
        hour_of_day,
        iso_day_of_week,
        iso_week,
        iso_day_of_week >= 6 as is_weekend,
        case
            when hour_of_day < 6 then 'night'
            when hour_of_day < 12 then 'morning'
            when hour_of_day < 18 then 'afternoon'
            else 'evening'
        end as day_part

    from parts

)

select * from final
