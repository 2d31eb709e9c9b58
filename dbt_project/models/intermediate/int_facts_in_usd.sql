{{ config(**incremental_by_document('usd_fingerprint')) }}

-- depends_on: {{ ref('int_document_fingerprints') }}
-- Currency amounts in US dollars. Other currencies are converted only with a rate implied by a
-- document's own stated equivalents (int_fx_rates): the fact's own document's rate first; otherwise
-- the same currency's rate of the document whose rate period (its publication window) has its
-- midpoint nearest the midpoint of the fact's period, ties to the lower document_id. Which rate was
-- used, and why, is in fx_rate, fx_rate_document_id, fx_rate_period and fx_rate_basis; without a
-- rate amount_usd stays null: no invented rates. Incremental by document: only the facts of
-- documents whose own sources or the rates they may use changed are converted again.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
    {% if is_incremental() -%}
        where document_id in ({{ documents_to_rebuild('usd_fingerprint') }})
    {%- endif %}
),

rates as (
    select * from {{ ref('int_fx_rates') }}
),

candidate_rates as (
    select
        facts.fact_id,
        rates.units_per_usd,
        rates.document_id as rate_document_id,
        rates.rate_period,
        rates.document_id = facts.document_id as is_own_document,
        row_number() over (
            partition by facts.fact_id
            order by
                (rates.document_id = facts.document_id) desc,
                -- twice the distance between the midpoints, in days
                abs(
                    {{ date_difference('day', 'facts.period_start', 'rates.rate_period_start') }}
                    + {{ date_difference('day', 'facts.period_end', 'rates.rate_period_end') }}
                ),
                rates.document_id
        ) as preference
    from facts
    inner join rates on facts.unit = rates.currency
    where facts.is_currency_amount
),

final as (
    select
        facts.*,
        case
            when facts.unit = 'USD' then facts.value_normalised
            when facts.is_currency_amount then facts.value_normalised / candidate_rates.units_per_usd
        end as amount_usd,
        case
            when facts.is_currency_amount and facts.unit = 'USD' then 1
            when facts.is_currency_amount then candidate_rates.units_per_usd
        end as fx_rate,
        case when facts.is_currency_amount and facts.unit <> 'USD' then candidate_rates.rate_document_id end
            as fx_rate_document_id,
        case when facts.is_currency_amount and facts.unit <> 'USD' then candidate_rates.rate_period end
            as fx_rate_period,
        case
            when facts.is_currency_amount and facts.unit = 'USD' then 'usd'
            when candidate_rates.is_own_document then 'own_document'
            when candidate_rates.fact_id is not null then 'nearest_document'
        end as fx_rate_basis
    from facts
    left join candidate_rates on facts.fact_id = candidate_rates.fact_id and candidate_rates.preference = 1
)

select * from final
