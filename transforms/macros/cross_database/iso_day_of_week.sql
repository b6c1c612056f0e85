{#
    The ISO day of the week of a date: Monday 1 to Sunday 7. The engines spell it differently
    (DuckDB isodow, Spark extract(dayofweek_iso)) and dbt ships no macro for it; Spark's
    dayofweek would count from Sunday.
#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}
