with source as (
    select * from {{ source('articles', 'documents') }}
),

final as (
    select
        document_id,
        title,
        title_basis,
        outlet,
        author,
        published_start,
        published_end,
        date_basis,
        date_evidence,
        reference_year,
        language,
        source_note,
        default_measure,
        default_data_provider,
        text_file,
        text_sha256,
        length(document_text) as text_characters,
        document_text
    from source
)

select * from final
