-- One rate per document and currency, in units of the currency per US dollar: the middle of the
-- intersection of every pair's rounding interval. If the intervals do not intersect, the pairs
-- disagree and the median is used, so the claim audit shows which pairs are off. The rate belongs
-- to its document and its date: its period is the document's publication window.
with pairs as (
    select * from {{ ref('int_fx_pairs') }}
),

documents as (
    select * from {{ ref('stg_articles__documents') }}
),

bounds as (
    select
        document_id,
        currency,
        count(*) as pair_count,
        max(units_per_usd_low) as units_per_usd_low,
        min(units_per_usd_high) as units_per_usd_high,
        median(units_per_usd) as median_units_per_usd,
        {{ ordered_string_agg('claim_fact_id', "', '", 'claim_fact_id') }} as fact_ids
    from pairs
    group by document_id, currency
),

final as (
    select
        bounds.document_id,
        bounds.currency,
        case
            when bounds.units_per_usd_low <= bounds.units_per_usd_high
                then (bounds.units_per_usd_low + bounds.units_per_usd_high) / 2
            else bounds.median_units_per_usd
        end as units_per_usd,
        bounds.units_per_usd_low,
        bounds.units_per_usd_high,
        coalesce(bounds.units_per_usd_low <= bounds.units_per_usd_high, false) as pairs_agree,
        bounds.pair_count,
        documents.published_start as rate_period_start,
        documents.published_end as rate_period_end,
        cast(documents.published_start as string) || '/' || cast(documents.published_end as string)
            as rate_period,
        bounds.fact_ids
    from bounds
    inner join documents on bounds.document_id = documents.document_id
)

select * from final
