with source as (
    select * from {{ source('articles', 'number_mentions') }}
),

final as (
    select
        document_id,
        line_number,
        char_offset,
        token,
        context,
        covered_by_kind,
        covered_by
    from source
)

select * from final
