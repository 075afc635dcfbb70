with

source as (

    select * from {{ source('partner_exports', 'orders') }}

),

final as (

    select
        cast(order_id as varchar) as order_id,
        cast(partner as varchar) as partner_name,
        cast(city_id as varchar) as city_id,
        cast(ordered_at as timestamp) as ordered_at,
        cast(items as integer) as item_count,
        cast(amount as decimal(12, 2)) as amount,
        cast(order_date as date) as order_date,
        cast(_source_file as varchar) as source_file,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from final
