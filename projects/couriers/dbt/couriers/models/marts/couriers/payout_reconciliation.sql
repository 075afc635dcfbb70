with

payouts as (

    select * from {{ ref('stg_courier_app__payouts') }}

),

deliveries as (

    select * from {{ ref('stg_courier_app__deliveries') }}

),

orders as (

    select * from {{ source('analytics', 'orders') }}

),

known_orders as (

    select distinct order_id

    from orders

),

delivered as (

    select
        delivery_id,
        courier_id,
        order_id,
        cast(delivered_at as date) as delivered_on,
        fee + tip as earned

    from deliveries
    where status = 'delivered'

),

-- The deliveries a payout pays for: the courier's, delivered in the payout's week (UTC days).
covered as (

    select
        payouts.payout_id,
        count(delivered.delivery_id) as delivered_deliveries,
        coalesce(sum(delivered.earned), 0) as delivered_amount,
        count(known_orders.order_id) as matched_orders

    from payouts
    left join delivered
        on
            payouts.courier_id = delivered.courier_id
            and delivered.delivered_on between payouts.period_start and payouts.period_end
    left join known_orders
        on delivered.order_id = known_orders.order_id
    group by payouts.payout_id

),

final as (

    select
        payouts.payout_id,
        payouts.courier_id,
        payouts.period_start,
        payouts.period_end,
        cast(payouts.amount as decimal(18, 2)) as payout_amount,
        cast(payouts.delivery_count as bigint) as payout_deliveries,
        cast(covered.delivered_deliveries as bigint) as delivered_deliveries,
        cast(covered.delivered_amount as decimal(18, 2)) as delivered_amount,
        cast(covered.matched_orders as bigint) as matched_orders,
        cast(payouts.amount - covered.delivered_amount as decimal(18, 2)) as difference,
        cast(
            case
                when
                    payouts.amount != covered.delivered_amount
                    or payouts.delivery_count != covered.delivered_deliveries
                    then 'amount_mismatch'
                when covered.matched_orders < covered.delivered_deliveries
                    then 'unmatched_orders'
                else 'matched'
            end as varchar
        ) as status

    from payouts
    inner join covered
        on payouts.payout_id = covered.payout_id

)

select * from final
