-- An incremental ingest, in one transaction once every check in ingest.validate has passed: the rows
-- of changed or removed files and documents are deleted and those files' and documents' new rows
-- inserted. Schemas and reference lists are unchanged (else the ingest would be a full one).
delete from raw.documents
where document_id in (select document_id from changed_documents) or document_id not in (select document_id from stage_manifest);

insert into raw.documents select * from new_documents;

delete from raw.fact_inputs
where fact_id in (select fact_id from raw.facts where source_file in (select source_file from changed_files));

insert into raw.fact_inputs select * from new_fact_inputs;

delete from raw.facts where source_file in (select source_file from changed_files);

insert into raw.facts select * exclude (derived_from) from new_facts;

delete from raw.exclusions where source_file in (select source_file from changed_files);

insert into raw.exclusions select * from new_exclusions;

delete from raw.number_mentions where document_id in (select document_id from rechecked_documents);

insert into raw.number_mentions select * from src_mentions;

create or replace table raw.source_files as
select * from src_files
