with source as (
    select * from {{ source('reference', 'measures') }}
),

final as (
    select
        measure,
        family,
        definition,
        unit_kind,
        is_additive::boolean as is_additive,
        parent_measure
    from source
)

select * from final
