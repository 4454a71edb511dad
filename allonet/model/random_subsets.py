"""Code that concerns, each time step, a random subset of a group's neurons: each neuron
independently with probability ``visit``, which may change from step to step.

A Poisson input cell spikes in a step with probability rate*dt (0.002 at 20 Hz and dt 0.1 ms),
and a neuron's Poisson background carries an event in a step with probability 0.02-0.07 (main
network). Drawing a random number for every neuron and step to find these few cost ~30 % of the
main experiment's binary (``perf``, session 14). On cpp_standalone the generated loop instead
jumps from one selected neuron to the next: the gaps between selected indices are geometric,
``1 + floor(log(U) / log(1 - visit))``, so a step costs O(N visit + 1) random numbers and no pass
over the others. Which neurons are selected is exactly a Bernoulli(visit) draw per neuron; only
which random numbers are drawn differs.

Two Brian2 templates (``templates/``) do it, for an update (like ``run_regularly``) and for a
thresholder. Both read ``visit`` (:data:`VISIT`), a scalar the object's code defines: a shared
subexpression of the group for a thresholder, the code's first line for an update. Brian2's
runtime and the cuda_standalone device keep Brian2's own templates; their callers draw the
selection there per neuron (``rand() < visit``), the same distribution.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Brian2 only where a model is built
    import brian2 as b2

#: The scalar (1, in [0, 1]) that the code of a sparse object defines: the probability that a
#: neuron is selected in this step.
VISIT = "visit"
#: Template names (files ``templates/<name>.cpp``).
UPDATE, THRESHOLD = "sparse_update", "sparse_threshold"


@functools.cache
def _code_object_class() -> type:
    from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject

    class SparseCodeObject(CPPStandaloneCodeObject):
        """cpp_standalone code object that also knows allonet's templates."""

        templater = CPPStandaloneCodeObject.templater.derive("allonet.model")

    return SparseCodeObject


def available() -> bool:
    """True on the cpp_standalone device (whose code objects the templates extend)."""
    import brian2 as b2
    from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject

    return b2.get_device().code_object_class() is CPPStandaloneCodeObject


def add_update(group: b2.Group, visit: str, code: str, name: str, when: str) -> None:
    """Run ``code`` each step (in the ``when`` slot) at a random subset of ``group``'s neurons,
    each selected with probability ``visit`` (an expression of shared variables, 1). Only on
    cpp_standalone (:func:`available`)."""
    from brian2.groups.group import CodeRunner

    runner = CodeRunner(group, UPDATE, code=f"{VISIT} = {visit}\n{code}", when=when, name=name,
                        codeobj_class=_code_object_class())
    group.contained_objects.append(runner)


def sparse_thresholder(group: b2.Group) -> None:
    """Make ``group``'s spike thresholder test only a random subset of its neurons each step,
    each with probability ``visit`` (a shared subexpression of the group, 1); its threshold is
    the condition a candidate must meet. Only on cpp_standalone (:func:`available`)."""
    if VISIT not in group.variables:
        raise ValueError(f"{group.name}: a sparse thresholder needs a shared subexpression "
                         f"{VISIT!r}")
    thresholder: Any = group.thresholder["spike"]
    thresholder.template = THRESHOLD
    thresholder.codeobj_class = _code_object_class()
