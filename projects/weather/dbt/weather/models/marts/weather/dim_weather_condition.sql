with

conditions as (

    select * from {{ ref('weather_conditions') }}

),

final as (

    select
        condition_id,
        condition_main,
        description,
        case
            when condition_id < 300 then 'thunderstorm'
            when condition_id < 500 then 'drizzle'
            when condition_id < 600 then 'rain'
            when condition_id < 700 then 'snow'
            when condition_id < 800 then 'atmosphere'
            when condition_id = 800 then 'clear'
            else 'clouds'
        end as condition_group,
        condition_id < 700 as is_precipitation

    from conditions

)

select * from final
