-- The item master, one row per sku.
with

products as (

    select * from {{ ref('stg_catalog__products') }}

),

final as (

    select
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(unit_cost as double) as unit_cost,
        cast(list_price as double) as list_price,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(unit_weight_kg as double) as unit_weight_kg,
        cast(unit_volume_m3 as double) as unit_volume_m3,
        cast(case_pack as bigint) as case_pack,
        cast(units_per_pallet as bigint) as units_per_pallet,
        cast(min_order_qty as bigint) as min_order_qty,
        cast(launch_date as date) as launch_date,
        cast(is_active as boolean) as is_active
    from products

)

select * from final
