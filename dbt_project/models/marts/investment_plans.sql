-- Companies' announced or reported capital-expenditure plans, and governments' public programmes.
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
),

final as (
    select
        subject as company,
        subject_type,
        metric as plan_kind,
        measure,
        data_provider,
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
    where metric in ('capex_plan', 'public_programme')
)

select * from final
