-- Statistics that are neither funding, market size nor rank ('78% of organizations reported using
-- AI'), one row per indicator fact, its percentage as a fraction.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

final as (
    select
        subject,
        measure,
        data_provider,
        region,
        period_type,
        period_label as period,
        period_start,
        period_end,
        value_normalised as value,
        qualifier,
        figure,
        document_id,
        fact_id,
        evidence
    from facts
    where metric = 'indicator'
)

select * from final
