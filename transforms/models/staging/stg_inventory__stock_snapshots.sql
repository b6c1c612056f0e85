with

source as (

    select * from {{ source('inventory', 'stock_snapshots_v1') }}

),

final as (

    select
        cast(snapshot_date as date) as snapshot_date,
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(on_hand as bigint) as on_hand,
        cast(on_order as bigint) as on_order
    from source

)

select * from final
