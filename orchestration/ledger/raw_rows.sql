-- The rows an ingest writes to raw (raw_tables.sql or raw_changes.sql), from the stage tables: those
-- of changed_files (facts, fact inputs, exclusions) and changed_documents (documents). After a full
-- check these are every file and document; after an incremental one, what changed.
create or replace temp view new_documents as
select
    manifest.* exclude (source_file, source_line),
    texts.content as document_text,
    sha256(texts.content) as text_sha256,
    'documents/' || manifest.document_id || '.txt' as text_file,
    manifest.source_file,
    manifest.source_line
from stage_manifest as manifest
inner join src_texts as texts on manifest.document_id = texts.document_id
where manifest.document_id in (select document_id from changed_documents);

create or replace temp view new_facts as
select * from stage_facts
where source_file in (select source_file from changed_files);

create or replace temp view new_fact_inputs as
select
    fact_id,
    input_position::integer as input_position,
    derived_from[input_position] as input_fact_id
from new_facts, range(1, coalesce(len(derived_from), 0) + 1) as t (input_position);

create or replace temp view new_exclusions as
select * from stage_exclusions
where source_file in (select source_file from changed_files)
