with source as (
    select * from {{ source('articles', 'fact_inputs') }}
),

final as (
    select
        fact_id,
        input_position,
        input_fact_id
    from source
)

select * from final
