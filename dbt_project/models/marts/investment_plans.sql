-- Companies' announced or reported capital-expenditure plans.
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
),

final as (
    select
        subject as company,
        region as country,
        period_type,
        period_label as period,
        period_start,
        period_end,
        amount_usd,
        fx_rate,
        fx_rate_document_id,
        fx_rate_period,
        fx_rate_basis,
        qualifier as amount_qualifier,
        document_id,
        fact_id,
        evidence
    from facts
    where metric = 'capex_plan'
)

select * from final
