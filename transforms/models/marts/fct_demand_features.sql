-- One row per sku x DC x day, from the first history day to as_of_date + horizon_days:
-- demand, stock-outs, calendar, promotion, price and horizon-safe lag features.
with

lag_features as (

    select * from {{ ref('int_demand__lag_features') }}

),

final as (

    select
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier_id,
        cast(demand_date as date) as demand_date,
        cast(as_of_date as date) as as_of_date,
        cast(is_history as boolean) as is_history,
        cast(units_sold as double) as units_sold,
        cast(revenue as double) as revenue,
        cast(on_hand_eod as bigint) as on_hand_eod,
        cast(is_stockout as boolean) as is_stockout,
        cast({{ iso_day_of_week('demand_date') }} as integer) as day_of_week,
        cast(dayofmonth(demand_date) as integer) as day_of_month,
        cast(dayofyear(demand_date) as integer) as day_of_year,
        cast(weekofyear(demand_date) as integer) as week_of_year,
        cast(month(demand_date) as integer) as month,
        cast(is_holiday as boolean) as is_holiday,
        cast(is_promo as boolean) as is_promo,
        cast(discount_pct as double) as discount_pct,
        cast(list_price as double) as list_price,
        cast(unit_price as double) as unit_price,
        cast(unit_price / nullif(list_price, 0) as double) as price_ratio,
        cast(lag_28 as double) as lag_28,
        cast(lag_35 as double) as lag_35,
        cast(lag_42 as double) as lag_42,
        cast(lag_364 as double) as lag_364,
        cast(rolling_mean_7_lag28 as double) as rolling_mean_7_lag28,
        cast(rolling_mean_28_lag28 as double) as rolling_mean_28_lag28,
        cast(rolling_std_28_lag28 as double) as rolling_std_28_lag28,
        cast(rolling_mean_91_lag28 as double) as rolling_mean_91_lag28
    from lag_features

)

select * from final
