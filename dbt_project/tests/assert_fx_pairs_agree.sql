-- Within a document, every stated currency equivalent of the same currency must be explainable by
-- one exchange rate within its rounding. Returns the document and currencies whose equivalents
-- contradict each other (their rounding intervals do not intersect).
with rates as (
    select * from {{ ref('int_fx_rates') }}
),

disagreeing as (
    select
        document_id,
        currency,
        pair_count,
        units_per_usd,
        units_per_usd_low,
        units_per_usd_high,
        fact_ids
    from rates
    where not pairs_agree
)

select * from disagreeing
