-- Horizon-safe lag and rolling features of units_sold over the dense daily grid.
-- Every series has one row per day (see the dense_daily_series test), so "k days before"
-- is "k rows before". The shortest lag is max(28, var('horizon_days')) days (28 at the default
-- horizon, which names the columns): lag_28 / lag_35 / lag_42 are units_sold that many days
-- (+ 0 / 7 / 14) earlier and the rolling windows of 7 / 28 / 91 days end at demand_date minus
-- the shortest lag (inclusive), so every feature is known over the whole horizon. Rows before
-- the first history day do not exist, so those lags are NULL; a window with no history day is
-- NULL (avg / stddev skip NULLs, which is what the future days carry).
-- Each frame spells the series window out: Spark cannot extend a named window with a frame.
{%- set lag = [28, var('horizon_days') | int] | max %}
{%- set by_series = 'partition by sku, location_id order by demand_date' %}

with

daily as (

    select * from {{ ref('int_demand__daily') }}

),

final as (

    select
        *,
        lag(units_sold, {{ lag }}) over ({{ by_series }}) as lag_28,
        lag(units_sold, {{ lag + 7 }}) over ({{ by_series }}) as lag_35,
        lag(units_sold, {{ lag + 14 }}) over ({{ by_series }}) as lag_42,
        lag(units_sold, 364) over ({{ by_series }}) as lag_364,
        avg(units_sold) over (
            {{ by_series }} rows between {{ lag + 6 }} preceding and {{ lag }} preceding
        ) as rolling_mean_7_lag28,
        avg(units_sold) over (
            {{ by_series }} rows between {{ lag + 27 }} preceding and {{ lag }} preceding
        ) as rolling_mean_28_lag28,
        stddev_samp(units_sold) over (
            {{ by_series }} rows between {{ lag + 27 }} preceding and {{ lag }} preceding
        ) as rolling_std_28_lag28,
        avg(units_sold) over (
            {{ by_series }} rows between {{ lag + 90 }} preceding and {{ lag }} preceding
        ) as rolling_mean_91_lag28
    from daily

)

select * from final
