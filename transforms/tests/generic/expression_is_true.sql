{#
    Fails for every row where `expression` is not true (false or null). Use `config: where:`
    to restrict the rows checked.
#}
{% test expression_is_true(model, expression) %}

with

final as (

    select * from {{ model }}
    where not coalesce(({{ expression }}), false)

)

select * from final

{% endtest %}
