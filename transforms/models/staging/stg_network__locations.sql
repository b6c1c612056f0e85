-- Locations, typed; the manager e-mail (PII) is dropped here.
with

source as (

    select * from {{ source('network', 'locations_v1') }}

),

final as (

    select
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        trim(cast(name as {{ dbt.type_string() }})) as name,
        lower(trim(cast(location_type as {{ dbt.type_string() }}))) as location_type,
        trim(cast(region as {{ dbt.type_string() }})) as region,
        trim(cast(country as {{ dbt.type_string() }})) as country,
        trim(cast(city as {{ dbt.type_string() }})) as city,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(handling_days as bigint) as handling_days
    from source

)

select * from final
