-- Lead-time statistics per supplier x receiving location x lane, from received PO lines.
-- lead time = receipt_date - order_date; transit = receipt_date - ship_date (days).
with

receipt_lead_times as (

    select * from {{ ref('int_procurement__receipt_lead_times') }}

),

aggregated as (

    select
        supplier_id,
        location_id,
        lane_id,
        count(*) as n_receipts,
        avg(lead_time_days) as lead_time_mean_days,
        stddev_samp(lead_time_days) as lead_time_std_days,
        {{ percentile_cont('lead_time_days', 0.9) }} as lead_time_p90_days,
        avg(transit_days) as transit_mean_days,
        sum(quantity_received) as quantity_received,
        sum(quantity_ordered) as quantity_ordered,
        max(receipt_date) as last_receipt_date
    from receipt_lead_times
    group by supplier_id, location_id, lane_id

),

final as (

    select
        cast(supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(lane_id as {{ dbt.type_string() }}) as lane_id,
        cast(n_receipts as bigint) as n_receipts,
        cast(lead_time_mean_days as double) as lead_time_mean_days,
        cast(lead_time_std_days as double) as lead_time_std_days,
        cast(lead_time_p90_days as double) as lead_time_p90_days,
        cast(transit_mean_days as double) as transit_mean_days,
        cast(
            cast(quantity_received as double) / nullif(quantity_ordered, 0) as double
        ) as fill_rate,
        cast(last_receipt_date as date) as last_receipt_date
    from aggregated

)

select * from final
