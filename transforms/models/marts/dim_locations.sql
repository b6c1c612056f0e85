-- Locations (DCs and supplier sites), one row per location_id. No personal data.
with

locations as (

    select * from {{ ref('stg_network__locations') }}

),

final as (

    select
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(location_type as {{ dbt.type_string() }}) as location_type,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(country as {{ dbt.type_string() }}) as country,
        cast(city as {{ dbt.type_string() }}) as city,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(handling_days as bigint) as handling_days
    from locations

)

select * from final
