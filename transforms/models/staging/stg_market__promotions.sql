with

source as (

    select * from {{ source('market', 'promotions_v1') }}

),

final as (

    select
        cast(promo_id as varchar) as promo_id,
        cast(sku as varchar) as sku,
        trim(cast(region as varchar)) as region,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(discount_pct as double) as discount_pct,
        trim(cast(promo_type as varchar)) as promo_type
    from source

)

select * from final
