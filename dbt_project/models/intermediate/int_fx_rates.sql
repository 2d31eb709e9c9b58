-- One rate per document and currency pair: the intersection of every pair's rounding interval.
-- If the intervals do not intersect, the pairs disagree and the median implied rate is used, so the
-- claim audit shows which pairs are off.
with pairs as (
    select * from {{ ref('int_fx_pairs') }}
),

bounds as (
    select
        document_id,
        base_currency,
        quote_currency,
        count(*) as pair_count,
        max(implied_rate_low) as rate_low,
        min(implied_rate_high) as rate_high,
        median(implied_rate) as median_implied_rate,
        min(implied_rate) as min_implied_rate,
        max(implied_rate) as max_implied_rate,
        string_agg(claim_fact_id, ', ' order by claim_fact_id) as fact_ids
    from pairs
    group by document_id, base_currency, quote_currency
),

final as (
    select
        document_id,
        base_currency,
        quote_currency,
        pair_count,
        rate_low <= rate_high as pairs_agree,
        case when rate_low <= rate_high then (rate_low + rate_high) / 2 else median_implied_rate end as rate,
        rate_low,
        rate_high,
        min_implied_rate,
        max_implied_rate,
        fact_ids
    from bounds
)

select * from final
