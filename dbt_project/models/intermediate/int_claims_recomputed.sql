{{ config(**incremental_by_document('claims_fingerprint')) }}
{#- a relative epsilon that absorbs binary floating-point noise, nothing more -#}
{%- set float_noise = '1e-9 * abs(value_normalised)' %}

-- depends_on: {{ ref('int_document_fingerprints') }}
-- Every stated derived claim recomputed from the facts it names: a sum adds all its inputs; a share
-- is the sum of all inputs but the last over the last; growth and multiple take two (a growth with
-- only its current figure has no base: unverifiable). The tolerance is half a unit in the last place
-- the claim was written to (29% -> 0.5 percentage points) plus the same of every input carried
-- through the arithmetic: a sum adds its inputs' absolute errors, a quotient their relative errors
-- (to first order). An input written in words adds nothing; a claim written in words ('ninefold')
-- has no last place and is taken to be within 5% of its value. Currency equivalents carry the width
-- of the rates' rounding intervals instead, which already hold their pairs' precision: input /
-- r(input currency) x r(claim currency), r in units per US dollar from the claim's own document,
-- r(USD) = 1.
-- exact, approximately and projected claims are two-sided; the other qualifiers bound one side:
-- more_than / at_least hold when the inputs give more / at least the figure, less_than / at_most
-- less / at most, nearly at or below it by no more than the tolerance. lower_bound restates its one
-- input, so its qualifier alone decides. Incremental by document: only claims of documents whose
-- own sources or whose input documents changed are recomputed.
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
        {%- if is_incremental() %}
            and document_id in ({{ documents_to_rebuild('claims_fingerprint') }})
        {%- endif %}
),

inputs_ranked as (
    select
        inputs.*,
        input_facts.value_normalised,
        input_facts.unit,
        input_facts.document_id,
        coalesce(input_facts.stated_half_unit, 0) as half_unit,
        inputs.input_position = max(inputs.input_position) over (partition by inputs.fact_id) as is_last
    from inputs
    inner join facts as input_facts on inputs.input_fact_id = input_facts.fact_id
),

inputs_wide as (
    select
        fact_id,
        max(case when input_position = 1 then value_normalised end) as input_a,
        max(case when input_position = 2 then value_normalised end) as input_b,
        max(case when input_position = 1 then unit end) as input_a_unit,
        count(*) as input_count,
        sum(value_normalised) as input_sum,
        sum(half_unit) as input_sum_error,
        sum(value_normalised) filter (where not is_last) as input_parts,
        sum(half_unit) filter (where not is_last) as input_parts_error,
        max(value_normalised) filter (where is_last) as input_last,
        max(half_unit) filter (where is_last) as input_last_error,
        {{ ordered_string_agg('input_fact_id', "', '", 'input_position') }} as input_fact_ids,
        {{ ordered_string_agg('distinct document_id', "', '", 'document_id') }} as input_document_ids
    from inputs_ranked
    group by fact_id
),

-- growth, share and multiple: the parts over the last input, with its relative error
ratios as (
    select
        *,
        input_parts / nullif(input_last, 0) as input_ratio,
        abs(input_parts / nullif(input_last, 0))
        * (input_parts_error / nullif(abs(input_parts), 0) + input_last_error / nullif(abs(input_last), 0)) as input_ratio_error
    from inputs_wide
),

recomputed as (
    select
        claims.*,
        inputs_wide.input_fact_ids,
        inputs_wide.input_document_ids,
        inputs_wide.input_a,
        inputs_wide.input_b,
        inputs_wide.input_count,
        case claims.derivation
            when 'growth' then case when inputs_wide.input_count = 2 then inputs_wide.input_ratio - 1 end
            when 'share' then inputs_wide.input_ratio
            when 'multiple' then inputs_wide.input_ratio
            when 'sum' then inputs_wide.input_sum
            when 'fx_equivalent' then inputs_wide.input_a / input_rate.units_per_usd * claim_rate.units_per_usd
            when 'lower_bound' then inputs_wide.input_a
        end as recomputed_value,
        case claims.derivation
            when 'growth' then inputs_wide.input_ratio_error
            when 'share' then inputs_wide.input_ratio_error
            when 'multiple' then inputs_wide.input_ratio_error
            when 'sum' then inputs_wide.input_sum_error
            when 'lower_bound' then inputs_wide.input_sum_error
            else 0
        end as input_error,
        coalesce(claims.stated_half_unit, abs(claims.value_normalised) * 0.05)
        + coalesce(input_error, 0)
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
    left join ratios as inputs_wide on claims.fact_id = inputs_wide.fact_id
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
            when
                case qualifier
                    when 'more_than' then recomputed_value > value_normalised
                    when 'at_least' then recomputed_value >= value_normalised - {{ float_noise }}
                    when 'less_than' then recomputed_value < value_normalised
                    when 'at_most' then recomputed_value <= value_normalised + {{ float_noise }}
                    when 'nearly'
                        then
                            recomputed_value
                            between value_normalised - tolerance - {{ float_noise }} and value_normalised + {{ float_noise }}
                    else abs(value_normalised - recomputed_value) <= tolerance + {{ float_noise }}
                end
                then 'consistent'
            else 'inconsistent'
        end as status
    from recomputed
)

select * from final
