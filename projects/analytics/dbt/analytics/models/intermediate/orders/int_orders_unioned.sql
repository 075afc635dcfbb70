with

app_orders as (

    select * from {{ ref('stg_marketplace__orders') }}

),

partner_orders as (

    select * from {{ ref('stg_partner_exports__orders') }}

),

app_orders_mapped as (

    select
        order_id,
        cast('app' as varchar) as channel,
        cast(null as varchar) as partner_name,
        customer_id,
        product_id,
        city_id,
        status,
        quantity as item_count,
        amount,
        refund_amount,
        ordered_at,
        order_date

    from app_orders

),

-- Partner exports list fulfilled orders only: no customer, product, status or refund.
partner_orders_mapped as (

    select
        order_id,
        cast('partner' as varchar) as channel,
        partner_name,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as product_id,
        city_id,
        cast('delivered' as varchar) as status,
        item_count,
        amount,
        cast(0 as decimal(12, 2)) as refund_amount,
        ordered_at,
        order_date

    from partner_orders

),

final as (

    select * from app_orders_mapped

    union all

    select * from partner_orders_mapped

)

select * from final
