with source as (
    select * from {{ source('reference', 'currencies') }}
),

final as (
    select
        currency_code,
        currency_name
    from source
)

select * from final
