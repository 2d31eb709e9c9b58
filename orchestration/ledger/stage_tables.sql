-- Typed temp tables parsed from the raw lines, once every line has passed its JSON Schema: the
-- rules (rules.sql) and the coverage of numbers run on these, and raw_tables.sql publishes them.
-- Each line is parsed once, into a struct (json_transform), not once per field. A fact or an
-- exclusion without document_id belongs to the document its file is named for; a period without
-- dates runs over the dates its label fixes (null where the label fits no type: rules.sql says so).
-- A year to date's label fixes only its start; a range's label is its two dates.
create or replace temp macro label_year(label) as try_cast(label[1:4] as integer);

create or replace temp macro label_start(period_type, label) as case
    when period_type = 'year' and regexp_full_match(label, '[0-9]{4}') then make_date(label_year(label), 1, 1)
    when period_type = 'half' and regexp_full_match(label, '[0-9]{4}-H[12]')
        then make_date(label_year(label), label[7:]::integer * 6 - 5, 1)
    when period_type = 'quarter' and regexp_full_match(label, '[0-9]{4}-Q[1-4]')
        then make_date(label_year(label), label[7:]::integer * 3 - 2, 1)
    when period_type = 'month' and regexp_full_match(label, '[0-9]{4}-(0[1-9]|1[0-2])')
        then make_date(label_year(label), label[6:]::integer, 1)
    when period_type = 'year_to_date' and regexp_full_match(label, '[0-9]{4}-YTD') then make_date(label_year(label), 1, 1)
    when
        period_type = 'range'
        and regexp_full_match(label, '[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9]{4}-[0-9]{2}-[0-9]{2}')
        and try_cast(label[12:21] as date) is not null
        then try_cast(label[1:10] as date)
end;

create or replace temp macro label_end(period_type, label) as case
    when period_type = 'year' then make_date(year(label_start(period_type, label)), 12, 31)
    when period_type = 'half' then last_day(label_start(period_type, label) + interval 5 month)
    when period_type = 'quarter' then last_day(label_start(period_type, label) + interval 2 month)
    when period_type = 'month' then last_day(label_start(period_type, label))
    when period_type = 'range' and label_start(period_type, label) is not null then try_cast(label[12:21] as date)
end;

create or replace temp table stage_manifest as
with parsed as (
    select
        json_transform(line, '{
            "document_id": "VARCHAR", "title": "VARCHAR", "title_basis": "VARCHAR", "outlet": "VARCHAR",
            "author": "VARCHAR", "published_start": "DATE", "published_end": "DATE", "date_basis": "VARCHAR",
            "date_evidence": "VARCHAR", "reference_year": "INTEGER", "language": "VARCHAR", "source_note": "VARCHAR",
            "default_measure": "VARCHAR", "default_data_provider": "VARCHAR"
        }') as r,
        source_file,
        line_number
    from src_manifest
)

select
    unnest(r),
    source_file,
    line_number as source_line
from parsed;

create or replace temp table stage_facts as
with parsed as (
    select
        json_transform(line, '{
            "fact_id": "VARCHAR", "document_id": "VARCHAR", "metric": "VARCHAR", "subject": "VARCHAR",
            "subject_type": "VARCHAR", "region": "VARCHAR", "period_type": "VARCHAR", "period_label": "VARCHAR",
            "period_start": "DATE", "period_end": "DATE", "period_basis": "VARCHAR", "period_text": "VARCHAR",
            "value": "DOUBLE", "unit": "VARCHAR", "scale": "VARCHAR", "qualifier": "VARCHAR", "figure": "VARCHAR",
            "evidence": "VARCHAR", "part_of": "VARCHAR", "derivation": "VARCHAR", "derived_from": ["VARCHAR"],
            "audit": {"expected_status": "VARCHAR", "why": "VARCHAR"},
            "deal_round": "VARCHAR", "investor": "VARCHAR", "note": "VARCHAR",
            "measure": "VARCHAR", "data_provider": "VARCHAR", "compares_across": ["VARCHAR"],
            "revision_of": "VARCHAR", "revision_reason": "VARCHAR"
        }') as r,
        source_file,
        line_number
    from src_facts
)

select
    r.fact_id,
    coalesce(r.document_id, parse_filename(source_file, true)) as document_id,
    r.metric,
    r.subject,
    r.subject_type,
    r.region,
    r.period_type,
    r.period_label,
    coalesce(r.period_start, label_start(r.period_type, r.period_label)) as period_start,
    coalesce(r.period_end, label_end(r.period_type, r.period_label)) as period_end,
    r.period_basis,
    r.period_text,
    r.value,
    r.unit,
    r.scale,
    r.qualifier,
    r.figure,
    r.evidence,
    r.part_of,
    r.derivation,
    r.derived_from,
    r.audit.expected_status as audit_expected_status,
    r.audit.why as audit_why,
    r.deal_round,
    r.investor,
    r.note,
    r.measure,
    r.data_provider,
    r.compares_across,
    r.revision_of,
    r.revision_reason,
    source_file,
    line_number as source_line
from parsed;

create or replace temp table stage_exclusions as
with parsed as (
    select
        json_transform(line, '{"document_id": "VARCHAR", "text": "VARCHAR", "context": "VARCHAR", "reason": "VARCHAR"}') as r,
        source_file,
        line_number
    from src_exclusions
)

select
    coalesce(r.document_id, parse_filename(source_file, true)) as document_id,
    r.text as excluded_text,
    r.context,
    r.reason,
    source_file,
    line_number as source_line
from parsed
;

-- What each fact measures and who compiled it: its own measure and data_provider, else its
-- manifest entry's defaults. A default measure goes only to the facts that must name one (amounts
-- and counts, but derived shares, growths, multiples and currency equivalents, whose meaning is
-- their inputs'); a default provider to every fact that names none. A view, so that the rows
-- changes.add_unchanged_rows adds to stage_facts are seen too; dbt's stg_articles__facts does the same.
create or replace temp view stage_fact_meanings as
with manifest as (
    select document_id, default_measure, default_data_provider from stage_manifest
    qualify row_number() over (partition by document_id order by source_file, source_line) = 1
),

kinds as (
    select
        f.*,
        metrics.value_kind,
        metrics.value_kind in ('amount', 'count')
        and not (f.derivation is not null and f.metric in ('currency_equivalent', 'share', 'growth_rate', 'multiple'))
            as must_name_measure
    from stage_facts as f
    left join src_metrics as metrics on f.metric = metrics.metric
)

select
    kinds.*,
    coalesce(kinds.measure, if(kinds.must_name_measure, manifest.default_measure, null)) as meant_measure,
    coalesce(kinds.data_provider, manifest.default_data_provider) as meant_data_provider,
    kinds.measure is null and kinds.must_name_measure and manifest.default_measure is not null as measure_by_default
from kinds
left join manifest on kinds.document_id = manifest.document_id
