with

customers as (

    select * from {{ ref('stg_marketplace__customers') }}

),

cities as (

    select * from {{ ref('stg_marketplace__cities') }}

),

customer_orders as (

    select * from {{ ref('int_customer_orders_aggregated') }}

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.email,
        customers.city_id,
        cities.city_name,
        customers.signed_up_at,
        customer_orders.first_order_date,
        customer_orders.last_order_date,
        cast(coalesce(customer_orders.lifetime_orders, 0) as bigint) as lifetime_orders,
        cast(
            coalesce(customer_orders.lifetime_net_revenue, 0) as decimal(18, 2)
        ) as lifetime_net_revenue

    from customers
    left join cities
        on customers.city_id = cities.city_id
    left join customer_orders
        on customers.customer_id = customer_orders.customer_id

)

select * from final
