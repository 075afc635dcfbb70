with

source as (

    select * from {{ source('courier_app', 'shifts') }}

),

renamed as (

    select
        cast(shift_id as varchar) as shift_id,
        cast(courier_id as varchar) as courier_id,
        cast(city_id as varchar) as city_id,
        cast(status as varchar) as status,
        cast(_dlt_load_id as varchar) as dlt_load_id,
        scheduled_at at time zone 'UTC' as scheduled_at,
        started_at at time zone 'UTC' as started_at,
        ended_at at time zone 'UTC' as ended_at,
        cancelled_at at time zone 'UTC' as cancelled_at,
        updated_at at time zone 'UTC' as updated_at

    from source

)

select * from renamed
