"""Figures made from run files and sweep directories (never from live Brian2 objects).

:mod:`~allonet.plotting.catalogue` lists every figure ``allonet plot`` draws;
:mod:`~allonet.plotting.style` holds the publication style and :func:`save`. ``FIGURES`` maps a
protocol kind to the overview figure ``allonet run`` draws after a run. Names are imported on first
use, so ``allonet plot --help`` (and the other commands) do not pay for Matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

    from allonet.store import RunFile

#: protocol kind -> catalogue figure drawn by ``allonet run``
OVERVIEWS = {"ipsc_dose_response": "ipsc_overview", "fear_conditioning": "fear_overview"}


def _overview(name: str) -> Callable[[RunFile], plt.Figure]:
    def figure(run: RunFile) -> plt.Figure:
        from allonet.plotting.catalogue import draw

        return draw(run, name)

    figure.__doc__ = f"The catalogue figure {name!r} of ``run``, provenance attached."
    return figure


def __getattr__(name: str) -> Any:
    if name == "FIGURES":
        #: protocol kind -> function(RunFile) -> matplotlib Figure (provenance attached)
        return {kind: _overview(fig) for kind, fig in OVERVIEWS.items()}
    if name == "save":
        from allonet.plotting.style import save

        return save
    if name in ("CATALOGUE", "draw"):
        from allonet.plotting import catalogue

        return getattr(catalogue, name)
    if name in ("fear_figure", "ipsc_figure"):
        from allonet.plotting import fear, ipsc

        return getattr(fear if name == "fear_figure" else ipsc, name)
    raise AttributeError(f"module 'allonet.plotting' has no attribute {name!r}")


__all__ = ["CATALOGUE", "FIGURES", "OVERVIEWS", "draw", "fear_figure", "ipsc_figure", "save"]
