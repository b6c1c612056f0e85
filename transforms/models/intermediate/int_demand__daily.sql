-- The dense daily grid (series x day) with demand, stock, calendar, promotion and price.
-- History days without orders sell 0; future days have NULL units_sold / revenue / stock.
with

series as (

    select * from {{ ref('int_demand__series') }}

),

date_spine as (

    select * from {{ ref('int_demand__date_spine') }}

),

daily_demand as (

    select * from {{ ref('int_sales__daily_demand') }}

),

snapshots as (

    select * from {{ ref('stg_inventory__stock_snapshots') }}

),

calendar as (

    select * from {{ ref('stg_market__calendar') }}

),

daily_promotions as (

    select * from {{ ref('int_demand__daily_promotions') }}

),

grid as (

    select
        series.sku,
        series.location_id,
        series.region,
        series.category,
        series.supplier_id,
        series.list_price,
        date_spine.demand_date,
        date_spine.as_of_date,
        date_spine.is_history
    from series
    cross join date_spine

),

joined as (

    select
        grid.*,
        case
            when grid.is_history then coalesce(daily_demand.units_sold, 0)
        end as units_sold,
        case
            when grid.is_history then coalesce(daily_demand.revenue, 0)
        end as revenue,
        case
            when grid.is_history then snapshots.on_hand
        end as on_hand_eod,
        coalesce(calendar.is_holiday, false) as is_holiday,
        daily_promotions.sku is not null as is_promo,
        coalesce(daily_promotions.discount_pct, 0) as discount_pct
    from grid
    left join daily_demand
        on
            grid.sku = daily_demand.sku
            and grid.location_id = daily_demand.location_id
            and grid.demand_date = daily_demand.demand_date
    left join snapshots
        on
            grid.sku = snapshots.sku
            and grid.location_id = snapshots.location_id
            and grid.demand_date = snapshots.snapshot_date
    left join calendar
        on
            grid.region = calendar.region
            and grid.demand_date = calendar.calendar_date
    left join daily_promotions
        on
            grid.sku = daily_promotions.sku
            and grid.region = daily_promotions.region
            and grid.demand_date = daily_promotions.demand_date

),

final as (

    select
        *,
        coalesce(is_history and on_hand_eod = 0, false) as is_stockout,
        case
            when units_sold > 0 then revenue / units_sold
            else list_price * (1 - discount_pct)
        end as unit_price
    from joined

)

select * from final
