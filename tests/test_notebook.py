"""The example notebook (docs/example.ipynb) runs top to bottom in a fresh kernel, so that it
cannot rot: it runs a short experiment in memory, draws a raster into its own Axes, reads a
sweep of three seeds as a DataFrame and computes Elephant statistics through the Neo export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "docs" / "example.ipynb"
#: simulates (one compile of the BLA circuit, then four short runs)
pytestmark = pytest.mark.slow


def test_example_notebook_runs_top_to_bottom(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("pandas")
    pytest.importorskip("elephant")
    # the kernel imports this checkout's allonet, whatever is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    # as in Jupyter: the kernel's inline backend (an earlier in-process `allonet` command has
    # set MPLBACKEND=Agg for the figures it writes)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "written to: None" in text  # the run stayed in memory
    assert "ISI CV" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the raster and the Elephant histogram, drawn inline
