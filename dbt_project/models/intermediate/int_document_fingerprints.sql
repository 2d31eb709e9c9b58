-- What each document's rows in the incremental models are computed from, as fingerprints. A model
-- rebuilds a document's rows only when its fingerprint differs from the one they were built with
-- (macros/incremental_by_document.sql), so one new document does not rebuild a million facts.
with documents as (
    select * from {{ ref('stg_articles__documents') }}
),

source_files as (
    select * from {{ source('articles', 'source_files') }}
),

facts as (
    select * from {{ ref('stg_articles__facts') }}
),

fact_inputs as (
    select * from {{ ref('stg_articles__fact_inputs') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

-- the whole manifest entry, text included
manifest_entries as (
    select
        document_id,
        md5({{ row_as_text('documents') }}) as entry_md5
    from documents
),

-- reference lists and schemas shape every row of every document
shared_files as (
    select coalesce({{ ordered_string_agg('sha256', "','", 'source_file') }}, '') as fingerprint
    from source_files
    where source_file like 'reference/%' or source_file like 'schemas/%'
),

-- the manifest entry and text and the document's facts and exclusions files
own_sources as (
    select
        manifest_entries.document_id,
        md5(
            concat_ws(
                '|',
                shared_files.fingerprint,
                manifest_entries.entry_md5,
                coalesce(facts_file.sha256, 'none'),
                coalesce(exclusions_file.sha256, 'none')
            )
        ) as content_fingerprint
    from manifest_entries
    cross join shared_files
    left join source_files as facts_file on facts_file.source_file = 'facts/' || manifest_entries.document_id || '.jsonl'
    left join source_files as exclusions_file
        on exclusions_file.source_file = 'exclusions/' || manifest_entries.document_id || '.jsonl'
),

-- a fact in another currency is converted with its own document's rate, else with the rate of
-- whichever document's rate period is nearest: any document's rate or rate period may decide it
rates_by_currency as (
    select
        currency,
        md5(
            {{ ordered_string_agg("document_id || '=' || cast(units_per_usd as string) || '@' || rate_period", "','", 'document_id') }}
        )
            as fingerprint
    from fx_rates
    group by currency
),

currencies_used as (
    select distinct
        document_id,
        unit
    from facts
    where is_currency_amount and unit <> 'USD'
),

rates_used as (
    select
        currencies_used.document_id,
        {{
            ordered_string_agg(
                "currencies_used.unit || '=' || coalesce(rates_by_currency.fingerprint, 'none')", "','", 'currencies_used.unit'
            )
        }}
            as fingerprint
    from currencies_used
    left join rates_by_currency on currencies_used.unit = rates_by_currency.currency
    group by currencies_used.document_id
),

-- a derived claim may be computed from facts of other documents
input_documents as (
    select distinct
        claims.document_id,
        inputs.document_id as input_document_id
    from fact_inputs
    inner join facts as claims on fact_inputs.fact_id = claims.fact_id
    inner join facts as inputs on fact_inputs.input_fact_id = inputs.fact_id
    where inputs.document_id <> claims.document_id
),

inputs_used as (
    select
        input_documents.document_id,
        {{ ordered_string_agg('own_sources.content_fingerprint', "','", 'input_documents.input_document_id') }} as fingerprint
    from input_documents
    inner join own_sources on input_documents.input_document_id = own_sources.document_id
    group by input_documents.document_id
),

final as (
    select
        own_sources.document_id,
        own_sources.content_fingerprint,
        md5(own_sources.content_fingerprint || '|' || coalesce(rates_used.fingerprint, '')) as usd_fingerprint,
        md5(own_sources.content_fingerprint || '|' || coalesce(inputs_used.fingerprint, '')) as claims_fingerprint
    from own_sources
    left join rates_used on own_sources.document_id = rates_used.document_id
    left join inputs_used on own_sources.document_id = inputs_used.document_id
)

select * from final
