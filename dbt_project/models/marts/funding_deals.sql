-- Named investment rounds, each with the segment total it is part of (from the same document).
with facts as (
    select * from {{ ref('int_facts_in_usd') }}
),

deals as (
    select * from facts
    where metric = 'deal_amount'
),

segments as (
    select * from facts
    where metric = 'funding_amount'
),

final as (
    select
        deals.subject as company,
        deals.region as country,
        segments.subject as segment,
        segments.period_label as segment_period,
        deals.deal_round as round,
        deals.investor,
        deals.amount_usd,
        deals.fx_rate,
        deals.fx_rate_document_id,
        deals.fx_rate_period,
        deals.fx_rate_basis,
        deals.qualifier as amount_qualifier,
        deals.period_type,
        deals.period_label as period,
        deals.period_start,
        deals.period_end,
        segments.amount_usd as segment_total_usd,
        deals.amount_usd / nullif(segments.amount_usd, 0) as share_of_segment_total,
        -- all named deals of the segment together, to reconcile against its total; a deal with no
        -- segment has no segment sum (unsegmented deals are not one segment)
        case
            when segments.fact_id is not null
                then sum(deals.amount_usd) over (partition by deals.document_id, deals.part_of)
        end as segment_named_deals_usd,
        deals.document_id,
        deals.fact_id,
        segments.fact_id as segment_fact_id,
        deals.evidence
    from deals
    left join segments on deals.part_of = segments.fact_id
)

select * from final
