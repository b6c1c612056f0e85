{#
    One row per day from `start_date` to `end_date` (both included), as a set-returning select
    expression: `select {{ day_series('a', 'b') }} as day from bounds`. dbt's own date_spine
    needs its bounds known when the model compiles; ours come from the data (the first order
    day to the horizon's end), so the series is unrolled by the engine at run time.
#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
    unnest(
        generate_series(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval 1 day
        )
    )
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    explode(
        sequence(
            cast({{ start_date }} as date),
            cast({{ end_date }} as date),
            interval 1 day
        )
    )
{%- endmacro %}
