{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ forget_documents_to_rebuild('usd_fingerprint') }}",
        post_hook="{{ remember_built_documents('usd_fingerprint') }}",
    )
}}

-- depends_on: {{ ref('int_document_fingerprints') }}
-- Currency amounts in US dollars. Other currencies are converted only with a rate implied by a
-- document's own stated equivalents (int_fx_rates), preferring the fact's own document; without
-- such a rate amount_usd stays null: no invented rates. Incremental by document: only the facts of
-- documents whose own sources or the rates they use changed are converted again.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
    {% if is_incremental() -%}
        where document_id in ({{ documents_to_rebuild('usd_fingerprint') }})
    {%- endif %}
),

rates as (
    select * from {{ ref('int_fx_rates') }}
    where base_currency = 'USD'
),

candidate_rates as (
    select
        facts.fact_id,
        rates.rate,
        rates.document_id as rate_document_id,
        row_number() over (
            partition by facts.fact_id
            order by (rates.document_id = facts.document_id) desc, rates.document_id
        ) as preference
    from facts
    inner join rates on facts.unit = rates.quote_currency
),

final as (
    select
        facts.*,
        case
            when facts.unit = 'USD' then facts.value_normalised
            when facts.is_currency_amount then facts.value_normalised / candidate_rates.rate
        end as amount_usd,
        case when facts.is_currency_amount and facts.unit <> 'USD' then candidate_rates.rate_document_id end
            as usd_rate_document_id
    from facts
    left join candidate_rates on facts.fact_id = candidate_rates.fact_id and candidate_rates.preference = 1
)

select * from final
