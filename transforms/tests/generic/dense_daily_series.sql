{#
    Each series (the `partition_by` columns) has exactly one row per day between its first
    and last `date_column`: no gaps, no duplicate days. The lag / rolling features count
    rows, so they rely on this.
#}
{% test dense_daily_series(model, date_column, partition_by) %}

with

per_series as (

    select
        {{ partition_by | join(',\n        ') }},
        count(*) as n_rows,
        count(distinct {{ date_column }}) as n_days,
        {{ dbt.datediff('min(' ~ date_column ~ ')', 'max(' ~ date_column ~ ')', 'day') }}
        + 1 as n_days_spanned
    from {{ model }}
    group by {{ partition_by | join(', ') }}

),

final as (

    select * from per_series
    where n_rows != n_days or n_rows != n_days_spanned

)

select * from final

{% endtest %}
