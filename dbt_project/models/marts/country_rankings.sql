-- Rankings of countries (and companies, with their home country) from the AI Index as reported,
-- with the rank's qualifier: 'at_most 2' means the text only places it in the top two.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

final as (
    select
        facts.metric,
        facts.subject,
        facts.subject_type,
        facts.region as country,
        regions.region_name as country_name,
        facts.period_year as year,
        case when facts.unit = 'rank' then facts.value_normalised::integer end as rank,
        case when facts.unit = 'rank' then facts.qualifier end as rank_qualifier,
        case when facts.unit <> 'rank' then facts.value_normalised end as value,
        facts.unit,
        facts.period_basis,
        facts.document_id,
        facts.fact_id,
        facts.figure,
        facts.evidence
    from facts
    left join regions on facts.region = regions.region_code
    where facts.metric like '%!_rank' escape '!' or facts.metric = 'foundation_model_count'
)

select * from final
