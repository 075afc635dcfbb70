with

source as (

    select * from {{ source('courier_app', 'deliveries') }}

),

renamed as (

    select
        cast(delivery_id as varchar) as delivery_id,
        cast(order_id as varchar) as order_id,
        cast(courier_id as varchar) as courier_id,
        cast(shift_id as varchar) as shift_id,
        cast(city_id as varchar) as city_id,
        cast(status as varchar) as status,
        cast(distance_m as bigint) as distance_m,
        cast(fee as decimal(12, 2)) as fee,
        cast(tip as decimal(12, 2)) as tip,
        cast(_dlt_load_id as varchar) as dlt_load_id,
        picked_up_at at time zone 'UTC' as picked_up_at,
        delivered_at at time zone 'UTC' as delivered_at,
        updated_at at time zone 'UTC' as updated_at

    from source

)

select * from renamed
