-- Annual growth of stock-market sectors as stated in the text (headline bounds are claims, audited
-- in claim_audit, and are left out here).
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

final as (
    select
        subject as sector,
        region,
        period_year as year,
        value_normalised as growth,
        qualifier as growth_qualifier,
        document_id,
        fact_id,
        evidence
    from facts
    where metric = 'sector_index_growth' and derivation is null
)

select * from final
