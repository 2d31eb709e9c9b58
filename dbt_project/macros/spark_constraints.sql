{#- Spark's Parquet tables accept no constraints (dbt-spark would run ALTER TABLE ... ADD CONSTRAINT,
    which only Delta tables take). So that the marts' contracts mean the same on both engines, the
    not_null and check constraints declared in each model's YAML are checked here, on Spark only, as
    soon as the table is written: any row that breaks one fails the model (and skips what follows),
    naming the constraint and the count of rows, as DuckDB's own enforcement fails the statement. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- set conditions = [] -%}
    {%- for constraint in model.constraints if constraint.type == 'check' -%}
        {%- do conditions.append((constraint.expression, 'check (' ~ constraint.expression ~ ')')) -%}
    {%- endfor -%}
    {%- for column in model.columns.values() -%}
        {%- for constraint in column.constraints -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do conditions.append((column.name ~ ' is not null', column.name ~ ' not null')) -%}
            {%- elif constraint.type == 'check' -%}
                {%- do conditions.append((constraint.expression, column.name ~ ' check (' ~ constraint.expression ~ ')')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if conditions and execute -%}
        {#- a check holds unless it is false (null passes), as in SQL's CHECK -#}
        {%- set counts -%}
            select
            {%- for condition, _ in conditions %}
                count_if(not ({{ condition }})){{ ',' if not loop.last }}
            {%- endfor %}
            from {{ relation }}
        {%- endset -%}
        {%- set row = run_query(counts).rows[0] -%}
        {%- set broken = [] -%}
        {%- for condition, name in conditions -%}
            {%- if row[loop.index0] > 0 -%}
                {%- do broken.append(name ~ ': ' ~ row[loop.index0] ~ ' row(s)') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if broken -%}
            {{ exceptions.raise_compiler_error(relation ~ ' breaks its contract: ' ~ broken | join('; ')) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
