"""Figures made from run files (never from live Brian2 objects)."""

from allonet.plotting.fear import fear_figure
from allonet.plotting.ipsc import ipsc_figure
from allonet.plotting.style import save

#: protocol kind -> function(RunFile) -> matplotlib Figure
FIGURES = {"ipsc_dose_response": ipsc_figure, "fear_conditioning": fear_figure}

__all__ = ["FIGURES", "fear_figure", "ipsc_figure", "save"]
