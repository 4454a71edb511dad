{# An update applied, each time step, to a random subset of the group's neurons, each neuron
   independently with probability `visit` (a scalar the abstract code defines): the loop jumps
   from one selected neuron to the next by geometric gaps, so a step costs O(N visit + 1), not
   O(N). See allonet/model/random_subsets.py. #}
{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}

{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    const int _N = {{constant_or_scalar('N', variables['N'])}};
    const double _log_miss = visit < 1.0 ? log1p(-visit) : -INFINITY;
    if (visit > 0.0)
    {
        for (long _idx = -1;;)
        {
            const double _gap = floor(log(1.0 - _rand(_vectorisation_idx)) / _log_miss);
            if (!(_gap < (double)(_N - 1 - _idx)))
                break;
            _idx += 1 + (long)_gap;
            {
                // vector code
                const size_t _vectorisation_idx = _idx;
                {{vector_code|autoindent}}
            }
        }
    }
{% endblock %}
