-- A full ingest: raw is dropped and written anew, in one transaction, once every check in
-- ingest.validate has passed. (Written as create-table-as-select with its rows: in DuckDB 2.0.0 a
-- table created empty by create-table-as and filled by one large insert in the same transaction
-- reads as empty on that connection after the commit.)
create schema raw;

create table raw.documents as
select * from new_documents;

create table raw.facts as
select * exclude (derived_from) from new_facts;

create table raw.fact_inputs as
select * from new_fact_inputs;

create table raw.exclusions as
select * from new_exclusions;

create table raw.number_mentions as
select * from src_mentions;

create table raw.regions as
select * from src_regions;

create table raw.currencies as
select * from src_currencies;

create table raw.metrics as
select * from src_metrics;

create table raw.measures as
select * from src_measures;

create table raw.providers as
select * from src_providers;

create table raw.source_files as
select * from src_files
