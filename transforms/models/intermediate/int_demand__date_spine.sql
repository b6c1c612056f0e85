-- One row per day from the first history day to as_of_date + horizon_days.
-- as_of_date is the last order day of sales.orders; the first history day is the earliest
-- order or stock-snapshot day.
with

orders as (

    select * from {{ ref('stg_sales__orders') }}

),

snapshots as (

    select * from {{ ref('stg_inventory__stock_snapshots') }}

),

order_bounds as (

    select
        min(order_date) as first_order_date,
        max(order_date) as as_of_date
    from orders

),

snapshot_bounds as (

    select min(snapshot_date) as first_snapshot_date
    from snapshots

),

bounds as (

    select
        order_bounds.as_of_date,
        least(
            order_bounds.first_order_date,
            coalesce(snapshot_bounds.first_snapshot_date, order_bounds.first_order_date)
        ) as first_history_date,
        {{ dbt.dateadd('day', var('horizon_days'), 'order_bounds.as_of_date') }} as horizon_end_date
    from order_bounds
    cross join snapshot_bounds

),

days as (

    select
        as_of_date,
        first_history_date,
        {{ day_series('first_history_date', 'horizon_end_date') }} as day_ts
    from bounds
    where as_of_date is not null

),

final as (

    select
        cast(day_ts as date) as demand_date,
        as_of_date,
        first_history_date,
        cast(day_ts as date) <= as_of_date as is_history
    from days

)

select * from final
