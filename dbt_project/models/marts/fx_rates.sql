-- Exchange rates implied by documents' own currency equivalents; the only rates the warehouse uses.
with rates as (
    select * from {{ ref('int_fx_rates') }}
),

final as (
    select
        document_id,
        base_currency,
        quote_currency,
        rate,
        rate_low,
        rate_high,
        pairs_agree,
        pair_count,
        min_implied_rate,
        max_implied_rate,
        fact_ids
    from rates
)

select * from final
