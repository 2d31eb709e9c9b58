with documents as (
    select * from {{ ref('stg_articles__documents') }}
),

facts as (
    select * from {{ ref('stg_articles__facts') }}
),

fact_counts as (
    select
        document_id,
        count(*) as fact_count
    from facts
    group by document_id
),

final as (
    select
        documents.document_id,
        documents.title,
        documents.title_basis,
        documents.outlet,
        documents.author,
        documents.published_start,
        documents.published_end,
        documents.date_basis,
        documents.date_evidence,
        documents.reference_year,
        documents.language,
        documents.source_note,
        documents.text_file,
        documents.text_sha256,
        coalesce(fact_counts.fact_count, 0) as fact_count,
        documents.document_text
    from documents
    left join fact_counts on documents.document_id = fact_counts.document_id
)

select * from final
