-- The daily summary is aggregated independently from the orders mart; per channel, its
-- order counts and amounts must add up to exactly the same totals. Returns mismatches.
-- The dagster ref attaches this test to daily_order_summary as an asset check.
{{ config(meta={'dagster': {'ref': {'name': 'daily_order_summary'}}}) }}

with

daily_order_summary as (

    select * from {{ ref('daily_order_summary') }}

),

orders as (

    select * from {{ ref('orders') }}

),

summary_totals as (

    select
        channel,
        sum(orders) as orders,
        sum(gross_amount) as gross_amount,
        sum(refund_amount) as refund_amount,
        sum(net_amount) as net_amount

    from daily_order_summary
    group by channel

),

order_totals as (

    select
        channel,
        count(*) as orders,
        sum(amount) as gross_amount,
        sum(refund_amount) as refund_amount,
        sum(net_amount) as net_amount

    from orders
    group by channel

),

final as (

    select
        summary_totals.channel as summary_channel,
        order_totals.channel as mart_channel,
        summary_totals.orders as summary_orders,
        order_totals.orders as mart_orders,
        summary_totals.net_amount as summary_net_amount,
        order_totals.net_amount as mart_net_amount

    from summary_totals
    full outer join order_totals
        on summary_totals.channel = order_totals.channel
    where
        summary_totals.channel is null
        or order_totals.channel is null
        or summary_totals.orders != order_totals.orders
        or summary_totals.gross_amount != order_totals.gross_amount
        or summary_totals.refund_amount != order_totals.refund_amount
        or summary_totals.net_amount != order_totals.net_amount

)

select * from final
