{#
    Fails for every combination of `combination_of_columns` that occurs more than once
    (a grain test: dbt_utils.unique_combination_of_columns, written here so nothing is
    fetched from the package hub).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

),

final as (

    select * from grouped
    where n_rows > 1

)

select * from final

{% endtest %}
