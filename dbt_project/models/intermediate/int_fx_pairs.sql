-- Each stated currency equivalent ('$56 billion (about 82.34 trillion won)') is one observation of
-- an exchange rate, with the interval its rounding allows.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

inputs as (
    select * from {{ ref('stg_articles__fact_inputs') }}
),

pairs as (
    select
        claim.fact_id as claim_fact_id,
        claim.document_id,
        base.fact_id as base_fact_id,
        base.unit as base_currency,
        claim.unit as quote_currency,
        base.value_normalised as base_amount,
        claim.value_normalised as quote_amount,
        claim.stated_half_unit
    from facts as claim
    inner join inputs on claim.fact_id = inputs.fact_id and inputs.input_position = 1
    inner join facts as base on inputs.input_fact_id = base.fact_id
    where
        claim.derivation = 'fx_equivalent'
        and base.is_currency_amount
        and base.value_normalised > 0
),

final as (
    select
        *,
        quote_amount / base_amount as implied_rate,
        (quote_amount - stated_half_unit) / base_amount as implied_rate_low,
        (quote_amount + stated_half_unit) / base_amount as implied_rate_high
    from pairs
)

select * from final
