-- One row per stated derived claim: what the document says, what its own figures give, and whether
-- the difference is within the precision the claim was written to.
with claims as (
    select * from {{ ref('int_claims_recomputed') }}
),

final as (
    select
        fact_id as claim_fact_id,
        document_id,
        metric,
        derivation,
        subject,
        region,
        period_label,
        figure as stated_figure,
        unit as stated_unit,
        qualifier as stated_qualifier,
        value_normalised as stated_value,
        recomputed_value,
        -- the recomputed value in the claim's own unit, to read beside the figure ('92.44' for '192%')
        case
            when unit = 'percent' then recomputed_value * 100
            else recomputed_value / {{ scale_multiplier('scale') }}
        end as recomputed_as_written,
        difference,
        tolerance,
        fx_rate,
        fx_rate_document_id,
        status,
        audit_expected_status as expected_status,
        audit_why as expected_why,
        status = audit_expected_status as matches_expectation,
        input_fact_ids,
        input_document_ids,
        evidence,
        source_file,
        source_line
    from claims
)

select * from final
