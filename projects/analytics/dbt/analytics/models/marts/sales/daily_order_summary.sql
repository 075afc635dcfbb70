with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

daily as (

    select
        order_date,
        channel,
        count(*) as orders,
        count(*) filter (where status = 'delivered') as delivered_orders,
        count(*) filter (where status = 'cancelled') as cancelled_orders,
        count(*) filter (where status = 'refunded') as refunded_orders,
        sum(amount) as gross_amount,
        sum(refund_amount) as refund_amount,
        sum(amount - refund_amount) as net_amount

    from orders
    group by order_date, channel

),

final as (

    select
        order_date,
        channel,
        orders,
        delivered_orders,
        cancelled_orders,
        refunded_orders,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        cast(net_amount as decimal(18, 2)) as net_amount,
        cast(gross_amount / orders as decimal(12, 2)) as avg_order_value

    from daily

)

select * from final
