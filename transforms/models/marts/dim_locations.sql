-- Locations (DCs and supplier sites), one row per location_id. No personal data.
with

locations as (

    select * from {{ ref('stg_network__locations') }}

),

final as (

    select
        cast(location_id as varchar) as location_id,
        cast(name as varchar) as name,
        cast(location_type as varchar) as location_type,
        cast(region as varchar) as region,
        cast(country as varchar) as country,
        cast(city as varchar) as city,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(handling_days as bigint) as handling_days
    from locations

)

select * from final
