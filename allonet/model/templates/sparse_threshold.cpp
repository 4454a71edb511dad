{# A thresholder that tests, each time step, only a random subset of the group's neurons, each
   independently with probability `visit` (a shared subexpression of the group), by the loop of
   sparse_loop.cpp. A neuron spikes if selected and its condition holds. See
   allonet/model/random_subsets.py. #}
{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}
{% import 'sparse_loop.cpp' as sparse %}

{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const int _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace = get_array_name(eventspace_variable) %}
    long _count = 0;
    {% call sparse.selected('(long)N') %}
    {{vector_code|autoindent}}
    if(_cond) {
        {{_eventspace}}[_count++] = _idx;
        {% if _uses_refractory %}
        {{not_refractory}}[_idx] = false;
        {{lastspike}}[_idx] = {{t}};
        {% endif %}
    }
    {% endcall %}
    {{_eventspace}}[N] = _count;
{% endblock %}

{% block after_code %}
{% set _eventspace = get_array_name(eventspace_variable) %}
{{_eventspace}}[N] = 0;  // Note that this is not an off-by-1-error: the array has N+1 elements
{% endblock %}
