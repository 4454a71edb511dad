{# A thresholder that tests, each time step, only a random subset of the group's neurons, each
   independently with probability `visit` (a shared subexpression of the group): the loop jumps
   from one candidate to the next by geometric gaps, so a step costs O(N visit + 1), not O(N).
   A neuron spikes if selected and its condition holds. See allonet/model/random_subsets.py. #}
{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}

{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const int _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace = get_array_name(eventspace_variable) %}
    long _count = 0;
    const double _log_miss = visit < 1.0 ? log1p(-visit) : -INFINITY;
    if (visit > 0.0)
    {
        for (long _idx = -1;;)
        {
            const double _gap = floor(log(1.0 - _rand(_vectorisation_idx)) / _log_miss);
            if (!(_gap < (double)((long)N - 1 - _idx)))
                break;
            _idx += 1 + (long)_gap;
            {
                const size_t _vectorisation_idx = _idx;
                {{vector_code|autoindent}}
                if(_cond) {
                    {{_eventspace}}[_count++] = _idx;
                    {% if _uses_refractory %}
                    {{not_refractory}}[_idx] = false;
                    {{lastspike}}[_idx] = {{t}};
                    {% endif %}
                }
            }
        }
    }
    {{_eventspace}}[N] = _count;
{% endblock %}

{% block after_code %}
{% set _eventspace = get_array_name(eventspace_variable) %}
{{_eventspace}}[N] = 0;  // Note that this is not an off-by-1-error: the array has N+1 elements
{% endblock %}
