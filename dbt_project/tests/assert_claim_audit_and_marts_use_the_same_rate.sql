-- a gate on claim_audit in Dagster (a test reading several models is attached to none by itself)
{{ config(meta={'dagster': {'ref': {'name': 'claim_audit'}}}) }}

-- The claim audit and the marts must use one rate for every converted figure: each amount in a
-- currency other than the dollar that a currency equivalent converts or states (the claim and its
-- input) is shown in marts.facts with the very rate and document the audit recomputed the claim
-- with. Returns the figures whose rates differ.
with audit as (
    select * from {{ ref('claim_audit') }}
    where derivation = 'fx_equivalent'
),

inputs as (
    select * from {{ ref('stg_articles__fact_inputs') }}
),

facts as (
    select * from {{ ref('facts') }}
),

figures as (
    select
        claim_fact_id,
        claim_fact_id as fact_id
    from audit
    union all
    select
        audit.claim_fact_id,
        inputs.input_fact_id as fact_id
    from audit
    inner join inputs on audit.claim_fact_id = inputs.fact_id
),

disagreeing as (
    select
        audit.claim_fact_id,
        facts.fact_id,
        facts.unit,
        audit.fx_rate as audit_fx_rate,
        audit.fx_rate_document_id as audit_fx_rate_document_id,
        facts.fx_rate as mart_fx_rate,
        facts.fx_rate_document_id as mart_fx_rate_document_id
    from figures
    inner join audit on figures.claim_fact_id = audit.claim_fact_id
    inner join facts on figures.fact_id = facts.fact_id
    where
        facts.unit <> 'USD'
        and (
            audit.fx_rate is distinct from facts.fx_rate
            or audit.fx_rate_document_id is distinct from facts.fx_rate_document_id
        )
)

select * from disagreeing
