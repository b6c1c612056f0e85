-- Received purchase-order lines with their lead time (order -> receipt) and transit time
-- (ship -> receipt) in days. Lines not yet received are left out.
with

receipts as (

    select * from {{ ref('stg_procurement__purchase_receipts') }}

),

final as (

    select
        po_id,
        po_line,
        supplier_id,
        sku,
        location_id,
        lane_id,
        order_date,
        ship_date,
        receipt_date,
        quantity_ordered,
        quantity_received,
        {{ dbt.datediff('order_date', 'receipt_date', 'day') }} as lead_time_days,
        {{ dbt.datediff('ship_date', 'receipt_date', 'day') }} as transit_days
    from receipts
    where receipt_date is not null

)

select * from final
