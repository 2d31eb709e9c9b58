-- Named parts (a deal within its segment total, a quarter within its year) must not add up to more
-- than their whole. Parts that are upper bounds ('up to', 'less than') set no floor and are left
-- out; a whole that is a lower bound ('at least', 'more than') is no ceiling and is not checked.
-- Returns the wholes whose parts, in the same unit, exceed them.
with facts as (
    select * from {{ ref('stg_articles__facts') }}
),

parts as (
    select
        part_of as whole_fact_id,
        unit,
        count(*) as part_count,
        sum(value_normalised) as parts_total,
        string_agg(fact_id, ', ' order by fact_id) as part_fact_ids
    from facts
    where
        part_of is not null
        and value_normalised is not null
        and qualifier not in ('at_most', 'less_than')
    group by part_of, unit
),

wholes as (
    select
        fact_id as whole_fact_id,
        unit,
        value_normalised as whole_value
    from facts
    where
        value_normalised is not null
        and qualifier not in ('at_least', 'more_than')
),

exceeding as (
    select
        wholes.whole_fact_id,
        wholes.unit,
        wholes.whole_value,
        parts.parts_total,
        parts.part_count,
        parts.part_fact_ids
    from parts
    inner join wholes
        on
            parts.whole_fact_id = wholes.whole_fact_id
            and parts.unit = wholes.unit
    -- the relative epsilon absorbs binary floating-point noise, as in the ingest's own check
    where parts.parts_total > wholes.whole_value * (1 + 1e-9)
)

select * from exceeding
