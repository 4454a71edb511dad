{# The loop both sparse templates share: each step it visits a random subset of the group's N
   neurons, each independently with probability `visit` (a scalar of the object's code), jumping
   from one to the next by geometric gaps (O(N visit + 1) per step), and runs the caller's code
   at each with `_idx` and `_vectorisation_idx` set. See allonet/model/random_subsets.py. #}
{% macro selected(N) %}
const double _log_miss = visit < 1.0 ? log1p(-visit) : -INFINITY;
if (visit > 0.0)
{
    for (long _idx = -1;;)
    {
        const double _gap = floor(log(1.0 - _rand(_vectorisation_idx)) / _log_miss);
        if (!(_gap < (double)({{N}} - 1 - _idx)))
            break;
        _idx += 1 + (long)_gap;
        {
            const size_t _vectorisation_idx = _idx;
            {{caller()}}
        }
    }
}
{% endmacro %}
