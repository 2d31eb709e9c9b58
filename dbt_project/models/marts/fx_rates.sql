-- Exchange rates implied by documents' own currency equivalents, in units of the currency per US
-- dollar, each with its document's period; the only rates the warehouse uses.
with rates as (
    select * from {{ ref('int_fx_rates') }}
),

final as (
    select
        document_id,
        currency,
        units_per_usd,
        units_per_usd_low,
        units_per_usd_high,
        pairs_agree,
        pair_count,
        rate_period_start,
        rate_period_end,
        rate_period,
        fact_ids
    from rates
)

select * from final
