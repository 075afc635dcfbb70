with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

final as (

    select
        city_id,
        min(order_date) as first_order_date,
        count(*) as orders

    from orders
    group by city_id

)

select * from final
