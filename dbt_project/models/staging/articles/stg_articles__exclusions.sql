with source as (
    select * from {{ source('articles', 'exclusions') }}
),

final as (
    select
        document_id,
        excluded_text,
        context,
        reason,
        source_file,
        source_line
    from source
)

select * from final
