-- Lane capacities and costs with nominal and observed transit times. A shipment is one
-- purchase order's goods shipped and received together on a lane (distinct po_id x
-- ship_date x receipt_date); observed transit = receipt_date - ship_date.
with

lanes as (

    select * from {{ ref('stg_logistics__lanes') }}

),

locations as (

    select * from {{ ref('stg_network__locations') }}

),

receipt_lead_times as (

    select * from {{ ref('int_procurement__receipt_lead_times') }}

),

shipments as (

    select distinct
        lane_id,
        po_id,
        ship_date,
        receipt_date,
        transit_days
    from receipt_lead_times
    where lane_id is not null and transit_days is not null

),

observed as (

    select
        lane_id,
        count(*) as n_shipments,
        avg(transit_days) as transit_days_observed_mean,
        stddev_samp(transit_days) as transit_days_observed_std,
        {{ percentile_cont('transit_days', 0.9) }} as transit_days_p90
    from shipments
    group by lane_id

),

final as (

    select
        cast(lanes.lane_id as {{ dbt.type_string() }}) as lane_id,
        cast(lanes.origin_id as {{ dbt.type_string() }}) as origin_id,
        cast(lanes.destination_id as {{ dbt.type_string() }}) as destination_id,
        cast(lanes.carrier as {{ dbt.type_string() }}) as carrier,
        cast(lanes.max_weight_kg as double) as max_weight_kg,
        cast(lanes.max_volume_m3 as double) as max_volume_m3,
        cast(lanes.max_pallets as bigint) as max_pallets,
        cast(lanes.ftl_cost as double) as ftl_cost,
        cast(lanes.ltl_cost_per_kg as double) as ltl_cost_per_kg,
        cast(lanes.ltl_min_charge as double) as ltl_min_charge,
        cast(lanes.currency as {{ dbt.type_string() }}) as currency,
        cast(lanes.transit_days_mean as double) as transit_days_nominal,
        cast(observed.transit_days_observed_mean as double) as transit_days_observed_mean,
        cast(observed.transit_days_observed_std as double) as transit_days_observed_std,
        cast(observed.transit_days_p90 as double) as transit_days_p90,
        cast(coalesce(observed.n_shipments, 0) as bigint) as n_shipments,
        cast(locations.handling_days as bigint) as destination_handling_days
    from lanes
    left join observed
        on lanes.lane_id = observed.lane_id
    left join locations
        on lanes.destination_id = locations.location_id

)

select * from final
