-- Published only after every check in ingest.validate has passed; runs in one transaction.
create schema if not exists raw;

create or replace table raw.documents as
with manifest as (
    select line::json as j, source_file, line_number from src_manifest
),

texts as (
    select document_id, content, sha256(content) as text_sha256 from src_texts
)

select
    j ->> 'document_id' as document_id,
    j ->> 'title' as title,
    j ->> 'title_basis' as title_basis,
    j ->> 'outlet' as outlet,
    j ->> 'author' as author,
    (j ->> 'published_start')::date as published_start,
    (j ->> 'published_end')::date as published_end,
    j ->> 'date_basis' as date_basis,
    j ->> 'date_evidence' as date_evidence,
    (j ->> 'reference_year')::integer as reference_year,
    j ->> 'language' as language,
    j ->> 'source_note' as source_note,
    texts.content as document_text,
    texts.text_sha256,
    'documents/' || (j ->> 'document_id') || '.txt' as text_file,
    manifest.source_file,
    manifest.line_number as source_line
from manifest
inner join texts on texts.document_id = j ->> 'document_id';

create or replace table raw.facts as
with parsed as (
    select line::json as j, source_file, line_number from src_facts
)

select
    j ->> 'fact_id' as fact_id,
    j ->> 'document_id' as document_id,
    j ->> 'metric' as metric,
    j ->> 'subject' as subject,
    j ->> 'subject_type' as subject_type,
    j ->> 'region' as region,
    j ->> 'period_type' as period_type,
    j ->> 'period_label' as period_label,
    (j ->> 'period_start')::date as period_start,
    (j ->> 'period_end')::date as period_end,
    j ->> 'period_basis' as period_basis,
    j ->> 'period_text' as period_text,
    (j ->> 'value')::double as value,
    j ->> 'unit' as unit,
    j ->> 'scale' as scale,
    j ->> 'qualifier' as qualifier,
    j ->> 'figure' as figure,
    j ->> 'evidence' as evidence,
    j ->> 'part_of' as part_of,
    j ->> 'derivation' as derivation,
    j -> 'audit' ->> 'expected_status' as audit_expected_status,
    j -> 'audit' ->> 'why' as audit_why,
    j ->> 'deal_round' as deal_round,
    j ->> 'investor' as investor,
    j ->> 'note' as note,
    source_file,
    line_number as source_line
from parsed;

create or replace table raw.fact_inputs as
with parsed as (
    select line::json as j from src_facts
)

select
    j ->> 'fact_id' as fact_id,
    i::integer as input_position,
    j -> 'derived_from' ->> (i - 1)::integer as input_fact_id
from parsed, range(1, coalesce(json_array_length(j -> 'derived_from'), 0)::bigint + 1) as t (i);

create or replace table raw.exclusions as
select
    line::json ->> 'document_id' as document_id,
    line::json ->> 'text' as excluded_text,
    line::json ->> 'context' as context,
    line::json ->> 'reason' as reason,
    source_file,
    line_number as source_line
from src_exclusions;

create or replace table raw.number_mentions as
select * from src_mentions;

create or replace table raw.regions as
select * from src_regions;

create or replace table raw.currencies as
select * from src_currencies;

create or replace table raw.metrics as
select * from src_metrics;

create or replace table raw.source_files as
select
    replace(filename, $sources_root, '') as source_file,
    size as bytes,
    sha256(content) as sha256,
    last_modified
from read_blob($source_files)
