-- The same kind of money measured twice: two amounts of one measure family for the same period,
-- in the same region or one inside the other (a country inside GLOBAL), by different providers or
-- under different definitions, side by side. Within one region the left figure is the one of the
-- lower (document_id, fact_id); a figure inside the other's region is on the left.
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
),

measures as (
    select * from {{ ref('stg_reference__measures') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

figures as (
    select
        facts.*,
        measures.family,
        regions.region_kind,
        -- a named company's or government's figure is compared with the same one's only; figures of
        -- populations (a sector, a market, a country) are compared whatever each names them
        if(facts.subject_type in ('company', 'government'), facts.subject, '') as compared_entity,
        facts.fact_id in (
            select revised.revision_of from facts as revised
            where revised.revision_of is not null
        ) as is_revised
    from facts
    inner join measures on facts.measure = measures.measure
    inner join regions on facts.region = regions.region_code
    -- a sum is a figure the text states (and the audit adds up), not a derived rate
    where facts.value_kind = 'amount' and coalesce(facts.derivation, 'sum') = 'sum' and facts.amount_usd is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by measure, data_provider, subject, region, period_type, period_label
            order by is_revised, document_id, fact_id
        ) as restatement_rank
    from figures
),

-- One figure per measurement (measure, provider, subject, region, period): other documents that
-- restate it agree with it (the ingest's agrees_across_documents), so a pair of restatements says
-- nothing and their number would grow with the square of the documents. The one no other figure
-- revises stands for all, the first document's if several.
measurements as (
    select * from ranked
    where restatement_rank = 1
),

pairs as (
    select
        left_figure.family,
        left_figure.period_type,
        left_figure.period_label,
        left_figure.fact_id as left_fact_id,
        right_figure.fact_id as right_fact_id,
        left_figure.document_id as left_document_id,
        right_figure.document_id as right_document_id,
        left_figure.data_provider as left_data_provider,
        right_figure.data_provider as right_data_provider,
        left_figure.measure as left_measure,
        right_figure.measure as right_measure,
        left_figure.subject as left_subject,
        right_figure.subject as right_subject,
        left_figure.region as left_region,
        right_figure.region as right_region,
        left_figure.figure as left_figure,
        right_figure.figure as right_figure,
        left_figure.amount_usd as left_amount_usd,
        right_figure.amount_usd as right_amount_usd,
        left_figure.fx_rate as left_fx_rate,
        right_figure.fx_rate as right_fx_rate,
        left_figure.fx_rate_document_id as left_fx_rate_document_id,
        right_figure.fx_rate_document_id as right_fx_rate_document_id,
        if(left_figure.region = right_figure.region, 'same_region', 'region_inside') as relation
    from measurements as left_figure
    inner join measurements as right_figure
        on
            left_figure.family = right_figure.family
            and left_figure.period_type = right_figure.period_type
            and left_figure.period_label = right_figure.period_label
            and left_figure.compared_entity = right_figure.compared_entity
            -- another provider's figure, or another definition from another document (one
            -- document's breakdown of its own figure is no second measurement)
            and (
                left_figure.data_provider is distinct from right_figure.data_provider
                or (left_figure.measure != right_figure.measure and left_figure.document_id != right_figure.document_id)
            )
            and (
                (
                    left_figure.region = right_figure.region
                    and (left_figure.document_id, left_figure.fact_id) < (right_figure.document_id, right_figure.fact_id)
                )
                or (left_figure.region_kind = 'country' and right_figure.region_kind = 'aggregate')
            )
),

final as (
    select
        family,
        period_type,
        period_label as period,
        relation,
        left_fact_id,
        right_fact_id,
        left_document_id,
        right_document_id,
        left_data_provider,
        right_data_provider,
        left_measure,
        right_measure,
        left_measure = right_measure as same_definition,
        left_subject,
        right_subject,
        left_region,
        right_region,
        left_figure,
        right_figure,
        left_amount_usd,
        right_amount_usd,
        left_fx_rate,
        right_fx_rate,
        left_fx_rate_document_id,
        right_fx_rate_document_id,
        left_amount_usd / nullif(right_amount_usd, 0) as ratio,
        left_amount_usd - right_amount_usd as spread_usd
    from pairs
)

select * from final
