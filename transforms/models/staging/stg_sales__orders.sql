-- Order lines of the current sales.orders major (v2), typed; the customer e-mail (PII) is
-- dropped here so nothing downstream can carry it.
with

source as (

    select * from {{ source('sales', 'orders_v2') }}

),

final as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(line_number as bigint) as line_number,
        cast(order_date as date) as order_date,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(quantity as bigint) as quantity,
        cast(unit_price as double) as unit_price,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(promo_id as {{ dbt.type_string() }}) as promo_id
    from source

)

select * from final
