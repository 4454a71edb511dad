"""allonet: spiking amygdala-hippocampus networks on Brian2 with allopregnanolone-scaled GABA-A
inhibition. See README.md for the two commands that set up, run and test it.

The Python front door (:mod:`allonet.api`):

- :func:`load_spec` — an experiment spec and its network, validated, with ``--set`` overrides;
- :func:`run` — simulate it, in memory (a :class:`Run`) or into a run file (``output=``);
- :func:`read_run` — a run file as a :class:`Run` (``spikes``, ``readout``, ``data``, ``save``);
- :func:`run_sweep`, :func:`read_sweep`, :func:`load_sweep` — run a sweep spec; a sweep's index
  as column -> array, or as a pandas DataFrame.

Importing allonet is cheap: the front door is imported on first use (the command line does not
need it), and Brian2 by the first call that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allonet.api import Run, load_spec, load_sweep, read_run, read_sweep, run, run_sweep

__version__ = "0.1.0"

__all__ = ["Run", "__version__", "load_spec", "load_sweep", "read_run", "read_sweep", "run",
           "run_sweep"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from allonet import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
