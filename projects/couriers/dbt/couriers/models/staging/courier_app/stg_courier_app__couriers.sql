with

source as (

    select * from {{ source('courier_app', 'couriers') }}

),

renamed as (

    select
        cast(courier_id as varchar) as courier_id,
        cast(name as varchar) as courier_name,
        cast(email as varchar) as email,
        cast(city_id as varchar) as city_id,
        cast(vehicle as varchar) as vehicle,
        cast(agency as varchar) as agency,
        cast(rating as decimal(3, 2)) as rating,
        cast(status as varchar) as status,
        cast(_dlt_load_id as varchar) as dlt_load_id,
        signed_up_at at time zone 'UTC' as signed_up_at,
        updated_at at time zone 'UTC' as updated_at

    from source

)

select * from renamed
