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
-- last place the claim was written to (29% -> 0.5 percentage points); currency equivalents also
-- carry the width of the document's implied-rate interval. A figure written in words ('ninefold',
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
            when 'fx_equivalent' then inputs_wide.input_a * rates.rate
            when 'lower_bound' then inputs_wide.input_a
        end as recomputed_value,
        coalesce(claims.stated_half_unit, abs(claims.value_normalised) * 0.05)
        + case
            when claims.derivation = 'fx_equivalent'
                then inputs_wide.input_a * greatest(rates.rate_high - rates.rate_low, 0) / 2
            else 0
        end as tolerance
    from claims
    left join inputs_wide on claims.fact_id = inputs_wide.fact_id
    left join rates
        on
            claims.document_id = rates.document_id
            and inputs_wide.input_a_unit = rates.base_currency
            and claims.unit = rates.quote_currency
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
