-- Units and revenue per sku x location x order day (only days that had order lines).
with

orders as (

    select * from {{ ref('stg_sales__orders') }}

),

final as (

    select
        sku,
        location_id,
        order_date as demand_date,
        cast(sum(quantity) as double) as units_sold,
        sum(cast(quantity as double) * unit_price) as revenue,
        count(*) as n_order_lines
    from orders
    group by sku, location_id, order_date

)

select * from final
