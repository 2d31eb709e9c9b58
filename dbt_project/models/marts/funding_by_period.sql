-- One row per measure, data provider, funded population (scope), region, period and reporting
-- document: the amount, the deal count of the same population (a count measure of the amount's
-- family, from the same provider) and everything that can be recomputed from them.
with measures as (
    select * from {{ ref('stg_reference__measures') }}
),

facts as (
    select
        usd.*,
        measures.family
    from {{ ref('int_facts_in_usd') }} as usd
    left join measures on usd.measure = measures.measure
),

claims as (
    select * from {{ ref('int_claims_recomputed') }}
),

inputs as (
    select * from {{ ref('stg_articles__fact_inputs') }}
),

periods as (
    select distinct
        family,
        data_provider,
        subject as scope,
        region,
        period_type,
        period_label,
        period_start,
        period_end,
        document_id
    from facts
    where metric in ('funding_amount', 'deal_count')
),

amounts as (
    select * from facts
    where metric = 'funding_amount'
),

deal_counts as (
    select * from facts
    where metric = 'deal_count'
),

stated_growth as (
    select
        inputs.input_fact_id as current_fact_id,
        claims.value_normalised as stated_growth
    from claims
    inner join inputs on claims.fact_id = inputs.fact_id and inputs.input_position = 1
    where claims.derivation = 'growth'
),

joined as (
    select
        periods.*,
        coalesce(amounts.measure, deal_counts.measure) as measure,
        amounts.amount_usd,
        amounts.qualifier as amount_qualifier,
        amounts.fact_id as amount_fact_id,
        amounts.part_of as whole_fact_id,
        deal_counts.value_normalised::bigint as deal_count,
        deal_counts.fact_id as deal_count_fact_id
    from periods
    left join amounts
        on
            periods.family = amounts.family
            and periods.data_provider = amounts.data_provider
            and periods.scope = amounts.subject
            and periods.region = amounts.region
            and periods.period_label = amounts.period_label
            and periods.document_id = amounts.document_id
    left join deal_counts
        on
            periods.family = deal_counts.family
            and periods.data_provider = deal_counts.data_provider
            and periods.scope = deal_counts.subject
            and periods.region = deal_counts.region
            and periods.period_label = deal_counts.period_label
            and periods.document_id = deal_counts.document_id
),

with_comparisons as (
    select
        joined.*,
        joined.amount_usd / nullif(previous.amount_usd, 0) - 1 as amount_growth_yoy,
        joined.deal_count / nullif(previous.deal_count, 0) - 1 as deal_count_growth_yoy,
        joined.amount_usd / nullif(joined.deal_count, 0) as avg_deal_usd,
        case when joined.period_type in ('quarter', 'half') then joined.amount_usd / nullif(annual.amount_usd, 0) end
            as share_of_annual,
        whole.amount_usd as whole_amount_usd,
        joined.amount_usd / nullif(whole.amount_usd, 0) as share_of_whole,
        amount_growth.stated_growth as stated_amount_growth_yoy,
        count_growth.stated_growth as stated_deal_count_growth_yoy
    from joined
    left join joined as previous
        on
            joined.measure = previous.measure
            and joined.data_provider = previous.data_provider
            and joined.scope = previous.scope
            and joined.region = previous.region
            and joined.document_id = previous.document_id
            and joined.period_type = previous.period_type
            and joined.period_start = previous.period_start + interval 1 year
    left join joined as annual
        on
            joined.measure = annual.measure
            and joined.data_provider = annual.data_provider
            and joined.scope = annual.scope
            and joined.region = annual.region
            and joined.document_id = annual.document_id
            and annual.period_type = 'year'
            and year(joined.period_start) = year(annual.period_start)
    left join amounts as whole on joined.whole_fact_id = whole.fact_id
    left join stated_growth as amount_growth on joined.amount_fact_id = amount_growth.current_fact_id
    left join stated_growth as count_growth on joined.deal_count_fact_id = count_growth.current_fact_id
),

described as (
    select
        with_comparisons.*,
        measures.is_additive,
        measures.parent_measure
    from with_comparisons
    left join measures on with_comparisons.measure = measures.measure
),

final as (
    select
        measure,
        data_provider,
        is_additive,
        parent_measure,
        scope,
        region,
        period_type,
        period_label as period,
        period_start,
        period_end,
        amount_usd,
        amount_qualifier,
        deal_count,
        amount_growth_yoy,
        stated_amount_growth_yoy,
        deal_count_growth_yoy,
        stated_deal_count_growth_yoy,
        avg_deal_usd,
        share_of_annual,
        whole_fact_id,
        whole_amount_usd,
        share_of_whole,
        document_id,
        concat_ws(', ', amount_fact_id, deal_count_fact_id) as fact_ids
    from described
)

select * from final
