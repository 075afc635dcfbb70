with

source as (

    select * from {{ source('marketplace', 'cities') }}

),

final as (

    select
        cast(city_id as varchar) as city_id,
        cast(name as varchar) as city_name,
        cast(country as varchar) as country_code,
        cast(latitude as double precision) as latitude,
        cast(longitude as double precision) as longitude,
        cast(timezone as varchar) as timezone,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from final
