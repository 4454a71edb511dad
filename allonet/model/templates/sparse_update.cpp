{# An update applied, each time step, to a random subset of the group's neurons, each neuron
   independently with probability `visit` (a scalar the abstract code defines), by the loop of
   sparse_loop.cpp. See allonet/model/random_subsets.py. #}
{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}
{% import 'sparse_loop.cpp' as sparse %}

{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    const int _N = {{constant_or_scalar('N', variables['N'])}};
    {% call sparse.selected('_N') %}
    // vector code
    {{vector_code|autoindent}}
    {% endcall %}
{% endblock %}
