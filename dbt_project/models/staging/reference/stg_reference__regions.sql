with source as (
    select * from {{ source('reference', 'regions') }}
),

final as (
    select
        region_code,
        region_name,
        region_kind
    from source
)

select * from final
