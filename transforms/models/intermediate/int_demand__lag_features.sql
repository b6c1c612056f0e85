-- Horizon-safe lag and rolling features of units_sold over the dense daily grid.
-- Every series has one row per day (see the dense_daily_series test), so "k days before"
-- is "k rows before": lag_k is units_sold k days earlier and the rolling windows of 7 / 28 /
-- 91 days end at demand_date - 28 (inclusive). Rows before the first history day do not
-- exist, so those lags are NULL; a window with no history day is NULL (avg / stddev skip
-- NULLs, which is what the future days carry).
with

daily as (

    select * from {{ ref('int_demand__daily') }}

),

final as (

    select
        *,
        lag(units_sold, 28) over by_series as lag_28,
        lag(units_sold, 35) over by_series as lag_35,
        lag(units_sold, 42) over by_series as lag_42,
        lag(units_sold, 364) over by_series as lag_364,
        avg(units_sold) over (
            by_series rows between 34 preceding and 28 preceding
        ) as rolling_mean_7_lag28,
        avg(units_sold) over (
            by_series rows between 55 preceding and 28 preceding
        ) as rolling_mean_28_lag28,
        stddev_samp(units_sold) over (
            by_series rows between 55 preceding and 28 preceding
        ) as rolling_std_28_lag28,
        avg(units_sold) over (
            by_series rows between 118 preceding and 28 preceding
        ) as rolling_mean_91_lag28
    from daily
    window by_series as (partition by sku, location_id order by demand_date)

)

select * from final
