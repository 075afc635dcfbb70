with

cities as (

    select * from {{ ref('stg_marketplace__cities') }}

),

city_orders as (

    select * from {{ ref('int_city_orders_aggregated') }}

),

final as (

    select
        cities.city_id,
        cities.city_name as name,
        cities.country_code as country,
        cities.latitude,
        cities.longitude,
        cities.timezone,
        city_orders.first_order_date,
        cast(coalesce(city_orders.orders, 0) as bigint) as orders

    from cities
    left join city_orders
        on cities.city_id = city_orders.city_id

)

select * from final
