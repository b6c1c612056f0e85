with

source as (

    select * from {{ source('catalog', 'products_v1') }}

),

final as (

    select
        cast(sku as {{ dbt.type_string() }}) as sku,
        trim(cast(description as {{ dbt.type_string() }})) as description,
        trim(cast(category as {{ dbt.type_string() }})) as category,
        trim(cast(brand as {{ dbt.type_string() }})) as brand,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(unit_cost as double) as unit_cost,
        cast(list_price as double) as list_price,
        upper(cast(currency as {{ dbt.type_string() }})) as currency,
        cast(unit_weight_kg as double) as unit_weight_kg,
        cast(unit_volume_m3 as double) as unit_volume_m3,
        cast(case_pack as bigint) as case_pack,
        cast(units_per_pallet as bigint) as units_per_pallet,
        cast(min_order_qty as bigint) as min_order_qty,
        cast(launch_date as date) as launch_date,
        coalesce(cast(is_active as boolean), true) as is_active
    from source

)

select * from final
