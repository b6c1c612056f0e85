with

source as (

    select * from {{ source('market', 'promotions_v1') }}

),

final as (

    select
        cast(promo_id as {{ dbt.type_string() }}) as promo_id,
        cast(sku as {{ dbt.type_string() }}) as sku,
        trim(cast(region as {{ dbt.type_string() }})) as region,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(discount_pct as double) as discount_pct,
        trim(cast(promo_type as {{ dbt.type_string() }})) as promo_type
    from source

)

select * from final
