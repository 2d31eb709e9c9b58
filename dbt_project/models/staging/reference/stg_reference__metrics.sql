with source as (
    select * from {{ source('reference', 'metrics') }}
),

final as (
    select
        metric,
        value_kind,
        description
    from source
)

select * from final
