with

shifts as (

    select * from {{ ref('stg_courier_app__shifts') }}

),

deliveries as (

    select * from {{ ref('stg_courier_app__deliveries') }}

),

completed as (

    select
        shift_id,
        courier_id,
        city_id,
        started_at,
        ended_at,
        cast(started_at as date) as shift_date,
        extract(epoch from ended_at - started_at) / 3600.0 as shift_hours

    from shifts
    where status = 'completed'

),

-- Each delivered delivery is busy time from pick-up to drop-off, cut to its shift.
busy_spans as (

    select
        deliveries.shift_id,
        greatest(deliveries.picked_up_at, completed.started_at) as busy_from,
        least(deliveries.delivered_at, completed.ended_at) as busy_to

    from deliveries
    inner join completed
        on deliveries.shift_id = completed.shift_id
    where deliveries.status = 'delivered'

),

-- A courier may carry several orders at once: overlapping spans count once. A span starts a
-- new stretch of busy time unless it begins before an earlier span of the shift has ended.
flagged as (

    select
        shift_id,
        busy_from,
        busy_to,
        case
            when busy_from <= max(busy_to) over (
                partition by shift_id
                order by busy_from, busy_to
                rows between unbounded preceding and 1 preceding
            ) then 0
            else 1
        end as starts_stretch

    from busy_spans

),

numbered as (

    select
        shift_id,
        busy_from,
        busy_to,
        sum(starts_stretch) over (
            partition by shift_id
            order by busy_from, busy_to
            rows between unbounded preceding and current row
        ) as stretch

    from flagged

),

stretches as (

    select
        shift_id,
        stretch,
        count(*) as delivery_count,
        extract(epoch from max(busy_to) - min(busy_from)) / 3600.0 as stretch_hours

    from numbered
    group by shift_id, stretch

),

per_shift as (

    select
        shift_id,
        sum(delivery_count) as delivery_count,
        sum(stretch_hours) as busy_hours

    from stretches
    group by shift_id

),

final as (

    select
        completed.shift_id,
        completed.courier_id,
        completed.city_id,
        completed.shift_date,
        cast(completed.shift_hours as double precision) as shift_hours,
        cast(coalesce(per_shift.delivery_count, 0) as bigint) as deliveries,
        cast(coalesce(per_shift.busy_hours, 0) as double precision) as busy_hours,
        cast(
            case
                when completed.shift_hours > 0
                    then coalesce(per_shift.busy_hours, 0) / completed.shift_hours
                else 0
            end as double precision
        ) as utilisation

    from completed
    left join per_shift
        on completed.shift_id = per_shift.shift_id

)

select * from final
