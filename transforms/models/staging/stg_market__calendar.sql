with

source as (

    select * from {{ source('market', 'calendar_v1') }}

),

final as (

    select
        cast(calendar_date as date) as calendar_date,
        trim(cast(region as {{ dbt.type_string() }})) as region,
        coalesce(cast(is_holiday as boolean), false) as is_holiday,
        cast(holiday_name as {{ dbt.type_string() }}) as holiday_name
    from source

)

select * from final
