{#
    Layers land in plainly named schemas of transforms.duckdb (staging, intermediate, marts)
    instead of dbt's default <target_schema>_<custom_schema>, so consumers read `marts.fct_*`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
