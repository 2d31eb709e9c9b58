with source as (
    select * from {{ source('reference', 'providers') }}
),

final as (
    select
        data_provider,
        name as provider_name,
        kind as provider_kind
    from source
)

select * from final
