with

deliveries as (

    select * from {{ ref('stg_courier_app__deliveries') }}

),

delivered as (

    select
        courier_id,
        cast(date_trunc('week', delivered_at) as date) as week_start,
        fee,
        tip

    from deliveries
    where status = 'delivered'

),

weekly as (

    select
        courier_id,
        week_start,
        count(*) as delivery_count,
        sum(fee) as fee_total,
        sum(tip) as tip_total

    from delivered
    group by courier_id, week_start

),

final as (

    select
        courier_id,
        week_start,
        cast(delivery_count as bigint) as deliveries,
        cast(fee_total as decimal(18, 2)) as fees,
        cast(tip_total as decimal(18, 2)) as tips,
        cast(fee_total + tip_total as decimal(18, 2)) as earnings

    from weekly

)

select * from final
