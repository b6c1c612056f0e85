with

source as (

    select * from {{ source('procurement', 'purchase_receipts_v1') }}

),

final as (

    select
        cast(po_id as {{ dbt.type_string() }}) as po_id,
        cast(po_line as bigint) as po_line,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(lane_id as {{ dbt.type_string() }}) as lane_id,
        cast(order_date as date) as order_date,
        cast(ship_date as date) as ship_date,
        cast(receipt_date as date) as receipt_date,
        cast(quantity_ordered as bigint) as quantity_ordered,
        cast(quantity_received as bigint) as quantity_received,
        cast(unit_cost as double) as unit_cost,
        upper(cast(currency as {{ dbt.type_string() }})) as currency
    from source

)

select * from final
