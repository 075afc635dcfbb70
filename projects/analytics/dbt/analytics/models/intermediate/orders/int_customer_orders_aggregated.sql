with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

app_orders as (

    select * from orders
    where channel = 'app'

),

aggregated as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as lifetime_orders,
        sum(
            case when status != 'cancelled' then amount - refund_amount else 0 end
        ) as lifetime_net_revenue

    from app_orders
    group by customer_id

),

final as (

    select
        customer_id,
        first_order_date,
        last_order_date,
        lifetime_orders,
        cast(lifetime_net_revenue as decimal(18, 2)) as lifetime_net_revenue

    from aggregated

)

select * from final
