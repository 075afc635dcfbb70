with

source as (

    select * from {{ source('marketplace', 'orders') }}

),

final as (

    select
        cast(order_id as varchar) as order_id,
        cast(customer_id as varchar) as customer_id,
        cast(product_id as varchar) as product_id,
        cast(city_id as varchar) as city_id,
        cast(status as varchar) as status,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(12, 2)) as unit_price,
        cast(amount as decimal(12, 2)) as amount,
        cast(refund_amount as decimal(12, 2)) as refund_amount,
        cast(ordered_at as timestamp) as ordered_at,
        cast(updated_at as timestamp) as updated_at,
        cast(order_date as date) as order_date,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from final
