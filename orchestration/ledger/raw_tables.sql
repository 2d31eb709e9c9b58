-- Published only after every check in ingest.validate has passed; runs in one transaction.
create schema if not exists raw;

create or replace table raw.documents as
select
    manifest.* exclude (source_file, source_line),
    texts.content as document_text,
    sha256(texts.content) as text_sha256,
    'documents/' || manifest.document_id || '.txt' as text_file,
    manifest.source_file,
    manifest.source_line
from stage_manifest as manifest
inner join src_texts as texts on manifest.document_id = texts.document_id;

create or replace table raw.facts as
select * exclude (derived_from) from stage_facts;

create or replace table raw.fact_inputs as
select
    fact_id,
    input_position::integer as input_position,
    derived_from[input_position] as input_fact_id
from stage_facts, range(1, coalesce(len(derived_from), 0) + 1) as t (input_position);

create or replace table raw.exclusions as
select * from stage_exclusions;

create or replace table raw.number_mentions as
select * from src_mentions;

create or replace table raw.regions as
select * from src_regions;

create or replace table raw.currencies as
select * from src_currencies;

create or replace table raw.metrics as
select * from src_metrics;

create or replace table raw.source_files as
select * from src_files
