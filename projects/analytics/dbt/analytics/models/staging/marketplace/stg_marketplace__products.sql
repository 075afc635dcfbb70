with

source as (

    select * from {{ source('marketplace', 'products') }}

),

final as (

    select
        cast(product_id as varchar) as product_id,
        cast(name as varchar) as product_name,
        cast(category as varchar) as category,
        cast(unit_price as decimal(12, 2)) as unit_price,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from final
