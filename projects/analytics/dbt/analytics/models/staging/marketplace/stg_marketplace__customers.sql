with

source as (

    select * from {{ source('marketplace', 'customers') }}

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(name as varchar) as customer_name,
        cast(email as varchar) as email,
        cast(city_id as varchar) as city_id,
        cast(signed_up_at as timestamp) as signed_up_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from final
