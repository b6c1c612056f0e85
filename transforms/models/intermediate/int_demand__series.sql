-- The demand series: every sku x DC pair that was sold or stocked, with its attributes.
with

daily_demand as (

    select * from {{ ref('int_sales__daily_demand') }}

),

snapshots as (

    select * from {{ ref('stg_inventory__stock_snapshots') }}

),

locations as (

    select * from {{ ref('stg_network__locations') }}

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

sold_pairs as (

    select distinct
        sku,
        location_id
    from daily_demand

),

stocked_pairs as (

    select distinct
        sku,
        location_id
    from snapshots

),

pairs as (

    select * from sold_pairs
    union
    select * from stocked_pairs

),

final as (

    select
        pairs.sku,
        pairs.location_id,
        locations.region,
        products.category,
        products.supplier_id,
        products.list_price
    from pairs
    inner join locations
        on pairs.location_id = locations.location_id
    left join products
        on pairs.sku = products.sku
    where locations.location_type = 'dc'

)

select * from final
