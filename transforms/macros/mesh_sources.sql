{#
    The on-run-start hook that makes the published products readable as dbt sources.

    On DuckDB the profile attaches the consumer catalog (mesh.duckdb) and there is nothing to do.
    Spark has no such catalog: each source becomes a view `<domain>.<product>_v<major>` over the
    Parquet file of its current snapshot, the file the analyst catalog's view reads (PII as
    pseudonyms). The `mesh_snapshots` var maps `<domain>.<table>` to that file; the mesh computes
    it from the manifest (supplymesh/spark/sources.py), the same location `mesh products --json`
    publishes. A view, never a table over the file: dropping or replacing it leaves the snapshot
    alone. A source with no entry is left undeclared, so a model reading it fails by its name.
#}
{% macro register_mesh_sources() -%}
    {{ return(adapter.dispatch('register_mesh_sources')()) }}
{%- endmacro %}

{% macro default__register_mesh_sources() -%}
    select 1 as mesh_sources_attached
{%- endmacro %}

{% macro spark__register_mesh_sources() -%}
    {%- set snapshots = var('mesh_snapshots', {}) -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set name = source.schema ~ '.' ~ source.identifier -%}
            {%- if name in snapshots -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
                {%- do run_query(
                    'create or replace view ' ~ name
                    ~ ' as select * from parquet.`' ~ snapshots[name] ~ '`'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select {{ snapshots | length }} as mesh_sources_registered
{%- endmacro %}
