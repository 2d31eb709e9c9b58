with source as (
    select * from {{ source('articles', 'facts') }}
),

metrics as (
    select * from {{ source('reference', 'metrics') }}
),

normalised as (
    select
        source.*,
        metrics.value_kind,
        source.unit not in ('count', 'percent', 'ratio', 'rank', 'year', 'event') as is_currency_amount,
        {{ scale_multiplier('source.scale') }} as scale_multiplier,
        -- decimals as written in the figure ('9.70 trillion won' -> 2) give the stated precision
        nullif(regexp_extract(source.figure, '[0-9][0-9,]*(\.[0-9]+)?', 0), '') as figure_number
    from source
    left join metrics on source.metric = metrics.metric
),

final as (
    select
        fact_id,
        document_id,
        metric,
        value_kind,
        subject,
        subject_type,
        region,
        period_type,
        period_label,
        period_start,
        period_end,
        year(period_start) as period_year,
        case
            when day(period_start) = 1 and day(period_end + 1) = 1 then date_diff('month', period_start, period_end + 1)
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
                then 0.5 * pow(10, -length(coalesce(regexp_extract(figure_number, '\.([0-9]+)', 1), ''))) / 100
            else 0.5 * pow(10, -length(coalesce(regexp_extract(figure_number, '\.([0-9]+)', 1), ''))) * scale_multiplier
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
        source_file,
        source_line
    from normalised
)

select * from final
