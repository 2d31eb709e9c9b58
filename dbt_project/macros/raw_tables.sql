{#- on-run-start, on Spark: the raw sources are the Parquet folders the ingest wrote
    (orchestration/ledger/raw_parquet.py), registered afresh on every run as external tables, so
    the catalog always names this run's files; dropping one leaves its files. On DuckDB the ingest
    writes raw.* into the build database itself and this does nothing. -#}
{% macro register_raw_tables() -%}
    {%- if target.type == 'spark' and execute -%}
        {%- set folder = env_var('AI_MARKET_DBT_SPARK_DIR', '../data/build/spark') ~ '/raw' -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- set relation = 'raw.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query('create table ' ~ relation ~ " using parquet location '" ~ folder ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
