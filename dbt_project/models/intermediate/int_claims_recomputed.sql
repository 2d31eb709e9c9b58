{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ forget_documents_to_rebuild('claims_fingerprint') }}",
        post_hook="{{ remember_built_documents('claims_fingerprint') }}",
    )
}}

-- depends_on: {{ ref('int_document_fingerprints') }}
-- Every stated derived claim recomputed from the facts it names. The tolerance is half a unit in the
-- last place the claim was written to (29% -> 0.5 percentage points); currency equivalents
-- (input / r(input currency) x r(claim currency), r in units per US dollar from the claim's own
-- document, r(USD) = 1) add the rates' rounding spread. A figure written in words ('ninefold',
-- 'a third') has no last place: it is taken to be within 5% of its value. Incremental by document:
-- only claims of documents whose own sources or whose input documents changed are recomputed.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

inputs as (
    select * from {{ ref('stg_articles__fact_inputs') }}
),

rates as (
    select * from {{ ref('int_fx_rates') }}
),

-- r(USD) = 1 for every document, exact
rates_with_usd as (
    select
        document_id,
        currency,
        units_per_usd,
        units_per_usd_low,
        units_per_usd_high
    from rates
    union all
    select
        document_id,
        'USD' as currency,
        1 as units_per_usd,
        1 as units_per_usd_low,
        1 as units_per_usd_high
    from {{ ref('stg_articles__documents') }}
),

claims as (
    select * from facts
    where
        derivation is not null
        {% if is_incremental() -%}
            and document_id in ({{ documents_to_rebuild('claims_fingerprint') }})
        {%- endif %}
),

inputs_wide as (
    select
        inputs.fact_id,
        max(case when inputs.input_position = 1 then input_facts.value_normalised end) as input_a,
        max(case when inputs.input_position = 2 then input_facts.value_normalised end) as input_b,
        max(case when inputs.input_position = 1 then input_facts.unit end) as input_a_unit,
        string_agg(inputs.input_fact_id, ', ' order by inputs.input_position) as input_fact_ids,
        string_agg(distinct input_facts.document_id, ', ') as input_document_ids
    from inputs
    inner join facts as input_facts on inputs.input_fact_id = input_facts.fact_id
    group by inputs.fact_id
),

recomputed as (
    select
        claims.*,
        inputs_wide.input_fact_ids,
        inputs_wide.input_document_ids,
        inputs_wide.input_a,
        inputs_wide.input_b,
        case claims.derivation
            when 'growth' then inputs_wide.input_a / nullif(inputs_wide.input_b, 0) - 1
            when 'share' then inputs_wide.input_a / nullif(inputs_wide.input_b, 0)
            when 'multiple' then inputs_wide.input_a / nullif(inputs_wide.input_b, 0)
            when 'fx_equivalent' then inputs_wide.input_a / input_rate.units_per_usd * claim_rate.units_per_usd
            when 'lower_bound' then inputs_wide.input_a
        end as recomputed_value,
        coalesce(claims.stated_half_unit, abs(claims.value_normalised) * 0.05)
        + case
            when claims.derivation = 'fx_equivalent'
                then
                    greatest(
                        inputs_wide.input_a * claim_rate.units_per_usd_high / input_rate.units_per_usd_low
                        - inputs_wide.input_a * claim_rate.units_per_usd_low / input_rate.units_per_usd_high,
                        0
                    )
                    / 2
            else 0
        end as tolerance,
        case when claims.derivation = 'fx_equivalent' then foreign_rate.units_per_usd end as fx_rate,
        case when claims.derivation = 'fx_equivalent' then foreign_rate.document_id end as fx_rate_document_id
    from claims
    left join inputs_wide on claims.fact_id = inputs_wide.fact_id
    left join rates_with_usd as input_rate
        on claims.document_id = input_rate.document_id and inputs_wide.input_a_unit = input_rate.currency
    left join rates_with_usd as claim_rate
        on claims.document_id = claim_rate.document_id and claims.unit = claim_rate.currency
    -- the rate the audit shows: that of the pair's currency other than the dollar (the claim's own first)
    left join rates as foreign_rate
        on
            claims.document_id = foreign_rate.document_id
            and foreign_rate.currency = case when claims.unit <> 'USD' then claims.unit else inputs_wide.input_a_unit end
),

final as (
    select
        *,
        value_normalised - recomputed_value as difference,
        case
            when recomputed_value is null then 'unverifiable'
            when derivation = 'lower_bound'
                then
                    case
                        when qualifier = 'more_than' and recomputed_value > value_normalised then 'consistent'
                        when qualifier = 'at_least' and recomputed_value >= value_normalised then 'consistent'
                        when qualifier = 'less_than' and recomputed_value < value_normalised then 'consistent'
                        when qualifier = 'at_most' and recomputed_value <= value_normalised then 'consistent'
                        else 'inconsistent'
                    end
            -- the relative epsilon absorbs binary floating-point noise, nothing more
            when abs(value_normalised - recomputed_value) <= tolerance + 1e-9 * abs(value_normalised) then 'consistent'
            else 'inconsistent'
        end as status
    from recomputed
)

select * from final
