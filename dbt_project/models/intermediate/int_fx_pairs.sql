-- Each stated currency equivalent ('$56 billion (about 82.34 trillion won)', '1.2 trillion won
-- (about $870 million)') is one observation of an exchange rate, with the interval its rounding
-- allows, in one orientation: units of the other currency per US dollar. A pair stated from won to
-- dollars is inverted, and so is its interval. Pairs without a dollar side imply no rate per dollar
-- and are left out.
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
        and claim.value_normalised > 0
        and (base.unit = 'USD') <> (claim.unit = 'USD')
),

final as (
    select
        *,
        case when base_currency = 'USD' then quote_currency else base_currency end as currency,
        case
            when base_currency = 'USD' then quote_amount / base_amount
            else base_amount / quote_amount
        end as units_per_usd,
        case
            when base_currency = 'USD' then (quote_amount - stated_half_unit) / base_amount
            else base_amount / (quote_amount + stated_half_unit)
        end as units_per_usd_low,
        case
            when base_currency = 'USD' then (quote_amount + stated_half_unit) / base_amount
            else base_amount / nullif(quote_amount - stated_half_unit, 0)
        end as units_per_usd_high
    from pairs
)

select * from final
