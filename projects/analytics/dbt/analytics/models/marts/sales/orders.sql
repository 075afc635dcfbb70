with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

final as (

    select
        order_id,
        channel,
        partner_name,
        customer_id,
        product_id,
        city_id,
        status,
        item_count,
        amount,
        refund_amount,
        ordered_at,
        order_date,
        cast(amount - refund_amount as decimal(12, 2)) as net_amount,
        status = 'cancelled' as is_cancelled,
        status = 'refunded' as is_refunded

    from orders

)

select * from final
