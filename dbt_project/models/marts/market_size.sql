-- Market and industry sizes as stated, with projections marked and growth recomputed between
-- consecutive points of the same series and document.
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
),

points as (
    select
        subject as market,
        region,
        period_year as year,
        value_normalised as value,
        unit as currency,
        amount_usd as value_usd,
        fx_rate,
        fx_rate_document_id,
        fx_rate_period,
        fx_rate_basis,
        qualifier,
        is_projection,
        document_id,
        fact_id,
        evidence,
        lag(period_year) over series as previous_year,
        lag(value_normalised) over series as previous_value
    from facts
    where metric = 'market_size'
    window series as (partition by subject, region, unit, document_id order by period_year)
),

final as (
    select
        market,
        region,
        year,
        value,
        currency,
        value_usd,
        fx_rate,
        fx_rate_document_id,
        fx_rate_period,
        fx_rate_basis,
        qualifier,
        is_projection,
        previous_year,
        previous_value,
        case when previous_year = year - 1 then value / previous_value - 1 end as growth_yoy,
        pow(value / previous_value, 1.0 / (year - previous_year)) - 1 as cagr_from_previous_point,
        document_id,
        fact_id,
        evidence
    from points
)

select * from final
