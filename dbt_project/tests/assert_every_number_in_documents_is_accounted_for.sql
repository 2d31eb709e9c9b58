-- Every number in a document's text must be part of a fact's figure, the year of a fact's period
-- in its evidence, or a listed exclusion. Returns the numbers nothing accounts for.
with mentions as (
    select * from {{ ref('stg_articles__number_mentions') }}
),

unaccounted as (
    select
        document_id,
        line_number,
        char_offset,
        token,
        context
    from mentions
    where covered_by_kind is null
)

select * from unaccounted
