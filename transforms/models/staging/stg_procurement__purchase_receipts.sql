with

source as (

    select * from {{ source('procurement', 'purchase_receipts_v1') }}

),

final as (

    select
        cast(po_id as varchar) as po_id,
        cast(po_line as bigint) as po_line,
        cast(supplier_id as varchar) as supplier_id,
        cast(sku as varchar) as sku,
        cast(location_id as varchar) as location_id,
        cast(lane_id as varchar) as lane_id,
        cast(order_date as date) as order_date,
        cast(ship_date as date) as ship_date,
        cast(receipt_date as date) as receipt_date,
        cast(quantity_ordered as bigint) as quantity_ordered,
        cast(quantity_received as bigint) as quantity_received,
        cast(unit_cost as double) as unit_cost,
        upper(cast(currency as varchar)) as currency
    from source

)

select * from final
