with

source as (

    select * from {{ source('logistics', 'lanes_v1') }}

),

final as (

    select
        cast(lane_id as {{ dbt.type_string() }}) as lane_id,
        cast(origin_id as {{ dbt.type_string() }}) as origin_id,
        cast(destination_id as {{ dbt.type_string() }}) as destination_id,
        trim(cast(carrier as {{ dbt.type_string() }})) as carrier,
        cast(max_weight_kg as double) as max_weight_kg,
        cast(max_volume_m3 as double) as max_volume_m3,
        cast(max_pallets as bigint) as max_pallets,
        cast(transit_days_mean as double) as transit_days_mean,
        cast(transit_days_std as double) as transit_days_std,
        cast(ftl_cost as double) as ftl_cost,
        cast(ltl_cost_per_kg as double) as ltl_cost_per_kg,
        cast(ltl_min_charge as double) as ltl_min_charge,
        upper(cast(currency as {{ dbt.type_string() }})) as currency
    from source

)

select * from final
