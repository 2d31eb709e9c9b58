-- One row per measure, data provider, funded population (scope), region, period and reporting
-- document: the amount, the deal count of the same population (a count measure of the amount's
-- family, from the same provider) and everything that can be recomputed from them. Year-on-year
-- growth compares a period with the one of the same length a year earlier; a period's share is of
-- the smallest period of the same measure, provider, scope and document that strictly contains it
-- (a quarter of its half, a half of its year).
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
        period_months,
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
        amounts.fx_rate,
        amounts.fx_rate_document_id,
        amounts.fx_rate_period,
        amounts.fx_rate_basis,
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

-- every period of the same measure, provider, scope, region and document that strictly contains
-- each one, the smallest first
containing as (
    select
        inner_period.measure,
        inner_period.data_provider,
        inner_period.scope,
        inner_period.region,
        inner_period.period_label,
        inner_period.document_id,
        outer_period.period_label as enclosing_period,
        outer_period.amount_usd as enclosing_amount_usd,
        row_number() over (
            partition by
                inner_period.measure,
                inner_period.data_provider,
                inner_period.scope,
                inner_period.region,
                inner_period.period_label,
                inner_period.document_id
            order by outer_period.period_end - outer_period.period_start, outer_period.period_label
        ) as size_order
    from joined as inner_period
    inner join joined as outer_period
        on
            inner_period.measure = outer_period.measure
            and inner_period.data_provider = outer_period.data_provider
            and inner_period.scope = outer_period.scope
            and inner_period.region = outer_period.region
            and inner_period.document_id = outer_period.document_id
            and inner_period.period_start >= outer_period.period_start
            and inner_period.period_end <= outer_period.period_end
            and (inner_period.period_start, inner_period.period_end) != (outer_period.period_start, outer_period.period_end)
),

enclosing as (
    select * from containing
    where size_order = 1
),

with_comparisons as (
    select
        joined.*,
        joined.amount_usd / nullif(previous.amount_usd, 0) - 1 as amount_growth_yoy,
        joined.deal_count / nullif(previous.deal_count, 0) - 1 as deal_count_growth_yoy,
        joined.amount_usd / nullif(joined.deal_count, 0) as avg_deal_usd,
        enclosing.enclosing_period,
        enclosing.enclosing_amount_usd,
        joined.amount_usd / nullif(enclosing.enclosing_amount_usd, 0) as share_of_enclosing_period,
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
            and joined.period_start = previous.period_start + interval 1 year
            -- the same length: whole months, else days
            and coalesce(
                joined.period_months = previous.period_months,
                joined.period_end - joined.period_start = previous.period_end - previous.period_start
            )
    left join enclosing
        on
            joined.measure = enclosing.measure
            and joined.data_provider = enclosing.data_provider
            and joined.scope = enclosing.scope
            and joined.region = enclosing.region
            and joined.period_label = enclosing.period_label
            and joined.document_id = enclosing.document_id
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
        fx_rate,
        fx_rate_document_id,
        fx_rate_period,
        fx_rate_basis,
        amount_qualifier,
        deal_count,
        amount_growth_yoy,
        stated_amount_growth_yoy,
        deal_count_growth_yoy,
        stated_deal_count_growth_yoy,
        avg_deal_usd,
        enclosing_period,
        enclosing_amount_usd,
        share_of_enclosing_period,
        whole_fact_id,
        whole_amount_usd,
        share_of_whole,
        document_id,
        concat_ws(', ', amount_fact_id, deal_count_fact_id) as fact_ids
    from described
)

select * from final
