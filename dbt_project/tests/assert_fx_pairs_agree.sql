-- Within a document, every stated currency equivalent of the same currency pair must be
-- explainable by one exchange rate within its rounding. Returns the document and currency pairs
-- whose equivalents contradict each other (their rounding intervals do not intersect).
with rates as (
    select * from {{ ref('int_fx_rates') }}
),

disagreeing as (
    select
        document_id,
        base_currency,
        quote_currency,
        pair_count,
        rate_low,
        rate_high,
        min_implied_rate,
        max_implied_rate,
        fact_ids
    from rates
    where not pairs_agree
)

select * from disagreeing
