{#- Multiplier of a figure's scale word: '$56 billion' is value 56 with scale 'billion'. -#}
{% macro scale_multiplier(scale_column) -%}
    case {{ scale_column }}
        when 'one' then 1
        when 'thousand' then 1e3
        when 'million' then 1e6
        when 'billion' then 1e9
        when 'trillion' then 1e12
    end
{%- endmacro %}
