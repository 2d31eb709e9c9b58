with source as (
    select * from {{ source('articles', 'facts') }}
),

metrics as (
    select * from {{ source('reference', 'metrics') }}
),

documents as (
    select * from {{ source('articles', 'documents') }}
),

normalised as (
    select
        source.*,
        metrics.value_kind,
        source.unit not in ('count', 'percent', 'ratio', 'rank', 'year', 'event') as is_currency_amount,
        {{ scale_multiplier('source.scale') }} as scale_multiplier,
        -- decimals as written in the figure ('9.70 trillion won' -> 2) give the stated precision
        nullif(regexp_extract(source.figure, '[0-9][0-9,]*([.][0-9]+)?', 0), '') as figure_number
    from source
    left join metrics on source.metric = metrics.metric
),

-- the fact's own measure and provider, else its document's defaults; a default measure goes only to
-- amounts and counts that are not derived claims (as the ingest's stage_fact_meanings gives it)
meanings as (
    select
        normalised.*,
        coalesce(
            normalised.measure,
            case
                when
                    normalised.value_kind in ('amount', 'count')
                    and not (
                        normalised.derivation is not null
                        and normalised.metric in ('currency_equivalent', 'share', 'growth_rate', 'multiple')
                    )
                    then documents.default_measure
            end
        ) as meant_measure,
        coalesce(normalised.data_provider, documents.default_data_provider) as meant_data_provider
    from normalised
    left join documents on normalised.document_id = documents.document_id
),

final as (
    select
        fact_id,
        document_id,
        metric,
        value_kind,
        meant_measure as measure,
        meant_data_provider as data_provider,
        subject,
        subject_type,
        region,
        period_type,
        period_label,
        period_start,
        period_end,
        cast(year(period_start) as bigint) as period_year,
        case
            when day(period_start) = 1 and day(period_end + 1) = 1 then {{ date_difference('month', 'period_start', 'period_end + 1') }}
        end as period_months,
        period_basis,
        period_text,
        value as value_as_written,
        unit,
        scale,
        qualifier,
        qualifier = 'projected' as is_projection,
        is_currency_amount,
        -- amounts in whole currency units, percentages as fractions, everything else as written
        case
            when unit = 'percent' then value / 100
            else value * scale_multiplier
        end as value_normalised,
        -- half a unit in the last written place: the tolerance a rounded figure carries
        case
            when figure_number is null then null
            when unit = 'percent'
                then 0.5 * pow(10, -length(coalesce(regexp_extract(figure_number, '[.]([0-9]+)', 1), ''))) / 100
            else 0.5 * pow(10, -length(coalesce(regexp_extract(figure_number, '[.]([0-9]+)', 1), ''))) * scale_multiplier
        end as stated_half_unit,
        figure,
        evidence,
        part_of,
        derivation,
        audit_expected_status,
        audit_why,
        deal_round,
        investor,
        note,
        revision_of,
        revision_reason,
        compares_across,
        source_file,
        source_line
    from meanings
)

select * from final
