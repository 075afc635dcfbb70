with

source as (

    select * from {{ source('courier_app', 'payouts') }}

),

renamed as (

    select
        cast(payout_id as varchar) as payout_id,
        cast(courier_id as varchar) as courier_id,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(deliveries as bigint) as delivery_count,
        cast(amount as decimal(12, 2)) as amount,
        cast(currency as varchar) as currency,
        cast(status as varchar) as status,
        cast(_dlt_load_id as varchar) as dlt_load_id,
        created_at at time zone 'UTC' as created_at,
        paid_at at time zone 'UTC' as paid_at,
        updated_at at time zone 'UTC' as updated_at

    from source

)

select * from renamed
