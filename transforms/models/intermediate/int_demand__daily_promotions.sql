-- Promotions spread over the days they run: one row per sku x region x day with the deepest
-- discount of the promotions active that day (limited to the demand date spine).
with

promotions as (

    select * from {{ ref('stg_market__promotions') }}

),

date_spine as (

    select * from {{ ref('int_demand__date_spine') }}

),

final as (

    select
        promotions.sku,
        promotions.region,
        date_spine.demand_date,
        max(coalesce(promotions.discount_pct, 0)) as discount_pct,
        count(*) as n_promotions
    from promotions
    inner join date_spine
        on
            promotions.start_date <= date_spine.demand_date
            and promotions.end_date >= date_spine.demand_date
    group by promotions.sku, promotions.region, date_spine.demand_date

)

select * from final
