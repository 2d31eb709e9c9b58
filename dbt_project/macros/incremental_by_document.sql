{#- Incremental models keyed by document. A model built with these rebuilds only the rows of the
    documents whose fingerprint (a column of int_document_fingerprints) differs from the one its
    rows were built with, and drops the rows of documents that are gone:

        {{ config(**incremental_by_document('usd_fingerprint')) }}
        ... where document_id in ({{ documents_to_rebuild('usd_fingerprint') }})   -- when is_incremental()

    The fingerprints a model's rows were built with are kept in dbt_state.<schema>__<model> (the
    schema is created on-run-start), written by the post-hook in the model's own transaction: the
    table and its record never disagree, even when a run fails half-way. A change of a model's code, or of a
    macro it uses, needs a full rebuild of it and of the incremental models after it: the pipeline
    drops those before `dbt build` (orchestration/dbt_state.py). -#}

{#- The model's config. Spark's Parquet tables cannot delete rows, so there the models are tables,
    built whole on every run. -#}
{% macro incremental_by_document(fingerprint) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': "{{ forget_documents_to_rebuild('" ~ fingerprint ~ "') }}",
        'post_hook': "{{ remember_built_documents('" ~ fingerprint ~ "') }}",
    }) }}
{%- endmacro %}

{% macro built_documents_relation() -%}
    dbt_state."{{ this.schema }}__{{ this.identifier }}"
{%- endmacro %}

{% macro documents_to_rebuild(fingerprint) -%}
    select current_documents.document_id
    from {{ ref('int_document_fingerprints') }} as current_documents
    left join {{ built_documents_relation() }} as built
        on current_documents.document_id = built.document_id
    where built.fingerprint is distinct from current_documents.{{ fingerprint }}
{%- endmacro %}

{#- The pre-hook: drop the rows about to be rebuilt and those of documents that are gone. With no
    record (a table built before records were kept) every document is rebuilt. -#}
{% macro forget_documents_to_rebuild(fingerprint) -%}
    create table if not exists {{ built_documents_relation() }} (document_id varchar, fingerprint varchar);
    {%- if is_incremental() %}
        delete from {{ this }}
        where
            document_id in ({{ documents_to_rebuild(fingerprint) }})
            or document_id not in (select document_id from {{ ref('int_document_fingerprints') }})
    {%- endif %}
{%- endmacro %}

{% macro remember_built_documents(fingerprint) -%}
    create or replace table {{ built_documents_relation() }} as
    select document_id, {{ fingerprint }} as fingerprint
    from {{ ref('int_document_fingerprints') }}
{%- endmacro %}
