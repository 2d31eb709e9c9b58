{#- What DuckDB and Spark SQL spell differently, in one place; every model keeps one copy. dbt's own
    cross-database macros cover neither: dbt.listagg ignores its order on Spark, and dbt.datediff
    on Spark raises on a null date, which these models meet in optional periods. -#}

{#- A string aggregate in a stated order: string_agg(x, ', ' order by y). -#}
{% macro ordered_string_agg(expression, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(expression, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, delimiter, order_by) -%}
    string_agg({{ expression }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, delimiter, order_by) -%}
    string_agg({{ expression }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}

{#- Whole days or months from start_date to end_date (boundaries crossed), null if either is. -#}
{% macro date_difference(part, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_difference')(part, start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_difference(part, start_date, end_date) -%}
    date_diff('{{ part }}', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro spark__date_difference(part, start_date, end_date) -%}
    timestampdiff({{ part }}, {{ start_date }}, {{ end_date }})
{%- endmacro %}

{#- A whole row of a relation as one text (what a fingerprint hashes). -#}
{% macro row_as_text(relation_alias) -%}
    {{ return(adapter.dispatch('row_as_text')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_as_text(relation_alias) -%}
    cast({{ relation_alias }} as string)
{%- endmacro %}

{% macro spark__row_as_text(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}
