-- Latest end-of-day stock per sku x location, with the item's ordering and handling units.
with

snapshots as (

    select * from {{ ref('stg_inventory__stock_snapshots') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

ranked_snapshots as (

    select
        sku,
        location_id,
        snapshot_date,
        on_hand,
        on_order,
        row_number() over (
            partition by sku, location_id order by snapshot_date desc
        ) as recency_rank
    from snapshots

),

latest_snapshots as (

    select
        sku,
        location_id,
        snapshot_date,
        on_hand,
        on_order
    from ranked_snapshots
    where recency_rank = 1

),

final as (

    select
        cast(latest_snapshots.sku as {{ dbt.type_string() }}) as sku,
        cast(latest_snapshots.location_id as {{ dbt.type_string() }}) as location_id,
        cast(latest_snapshots.snapshot_date as date) as snapshot_date,
        cast(latest_snapshots.on_hand as bigint) as on_hand,
        cast(latest_snapshots.on_order as bigint) as on_order,
        cast(
            coalesce(latest_snapshots.on_hand, 0) + coalesce(latest_snapshots.on_order, 0)
            as bigint
        ) as inventory_position,
        cast(products.supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(products.unit_cost as double) as unit_cost,
        cast(products.list_price as double) as list_price,
        cast(products.case_pack as bigint) as case_pack,
        cast(products.min_order_qty as bigint) as min_order_qty,
        cast(products.units_per_pallet as bigint) as units_per_pallet,
        cast(products.unit_weight_kg as double) as unit_weight_kg,
        cast(products.unit_volume_m3 as double) as unit_volume_m3,
        cast(products.category as {{ dbt.type_string() }}) as category
    from latest_snapshots
    left join products
        on latest_snapshots.sku = products.sku

)

select * from final
