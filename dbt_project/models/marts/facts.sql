{{ config(**incremental_by_document('usd_fingerprint')) }}

-- depends_on: {{ ref('int_document_fingerprints') }}
-- Every figure of every document with its full provenance: the table to follow any mart row's
-- fact_id back to its document, sentence, source file and line. Incremental by document, like
-- int_facts_in_usd.
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
    {% if is_incremental() -%}
        where document_id in ({{ documents_to_rebuild('usd_fingerprint') }})
    {%- endif %}
),

documents as (
    select * from {{ ref('stg_articles__documents') }}
),

final as (
    select
        facts.fact_id,
        facts.document_id,
        documents.title as document_title,
        facts.metric,
        facts.measure,
        facts.data_provider,
        facts.subject,
        facts.subject_type,
        facts.region,
        facts.period_type,
        facts.period_label,
        facts.period_start,
        facts.period_end,
        facts.period_basis,
        facts.period_text,
        facts.value_as_written,
        facts.unit,
        facts.scale,
        facts.value_normalised,
        facts.amount_usd,
        facts.fx_rate,
        facts.fx_rate_document_id,
        facts.fx_rate_period,
        facts.fx_rate_basis,
        facts.qualifier,
        facts.is_projection,
        facts.figure,
        facts.evidence,
        facts.part_of,
        facts.derivation,
        facts.note,
        facts.source_file,
        facts.source_line
    from facts
    inner join documents on facts.document_id = documents.document_id
)

select * from final
