"""Every catalogue figure renders from the committed fixtures, is not blank, and labels its axes
with units; values drawn match the data they come from."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.container import BarContainer, ErrorbarContainer  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from allonet.plotting import catalogue, sweep  # noqa: E402
from allonet.plotting.style import DOUBLE_COLUMN, SINGLE_COLUMN, save  # noqa: E402
from allonet.store import read_run  # noqa: E402

DATA = Path(__file__).parent / "data"
FEAR = DATA / "fear_extinction.h5"
VLACHOS = DATA / "sweep" / "runs" / "point-00000.h5"
IPSC = DATA / "ipsc.h5"
SWEEP = DATA / "sweep"

#: catalogue figure -> fixture sources it must render from
SOURCES = {
    "raster": [FEAR, VLACHOS], "rates": [FEAR, VLACHOS], "psth": [FEAR, VLACHOS],
    "freezing": [FEAR, VLACHOS], "neurons": [FEAR, VLACHOS], "ensembles": [FEAR],
    "weights": [FEAR, VLACHOS],
    "allo": [FEAR, VLACHOS], "fear_overview": [FEAR, VLACHOS],
    "ipsc_traces": [IPSC], "ipsc_fold": [IPSC], "ipsc_overview": [IPSC],
    "dose_response": [SWEEP], "heatmap": [SWEEP],
}
_UNIT = re.compile(r"\(([^()]*\S[^()]*)\)")


def test_every_catalogue_figure_has_a_fixture():
    assert set(SOURCES) == set(catalogue.CATALOGUE)


def test_fixtures_are_small():
    files = [p for p in DATA.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert path.stat().st_size < 1_000_000, path


def _data_artists(ax: plt.Axes) -> int:
    """Artists that carry data: lines with 2+ finite points, non-empty scatters, images, bars."""
    count = 0
    for line in ax.get_lines():
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        count += int(np.isfinite(x).sum() >= 2 and np.isfinite(y).sum() >= 2)
    count += sum(1 for c in ax.collections
                 if isinstance(c, PathCollection) and len(c.get_offsets()) > 0)
    count += sum(1 for i in ax.get_images() if isinstance(i, AxesImage))
    count += sum(1 for c in ax.containers if isinstance(c, BarContainer | ErrorbarContainer))
    return count


def _labels(fig: plt.Figure) -> list[str]:
    texts = []
    for ax in fig.axes:
        texts += [ax.get_xlabel(), ax.get_ylabel()]
    for sup in (fig._supxlabel, fig._supylabel):
        if sup is not None:
            texts.append(sup.get_text())
    return [t for t in texts if t.strip()]


def _source(path: Path):
    return catalogue.load_source(path)


CASES = [(name, path) for name, paths in SOURCES.items() for path in paths]


@pytest.mark.parametrize(("name", "path"), CASES,
                         ids=[f"{n}-{p.stem if p.is_file() else p.name}" for n, p in CASES])
def test_figure_renders_with_data_and_units(name, path, tmp_path):
    source = _source(path)
    assert catalogue.CATALOGUE[name].missing(source) is None
    fig = catalogue.draw(source, name)
    data_axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison and _data_artists(ax)]
    assert data_axes, f"{name}: no axes with data"
    assert fig.get_figwidth() in (pytest.approx(SINGLE_COLUMN), pytest.approx(DOUBLE_COLUMN))
    labels = _labels(fig)
    assert any(ax.get_xlabel() for ax in data_axes), f"{name}: no x label"
    assert any(ax.get_ylabel() for ax in data_axes) or fig._supylabel is not None
    for label in labels:
        assert _UNIT.search(label), f"{name}: axis label without unit: {label!r}"
    assert fig.allonet_provenance["sources"].endswith(path.name if path.is_file()
                                                      else "index.csv")
    [png] = save(fig, tmp_path / name, ["png"])
    pixels = mpimg.imread(png)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 500
    assert pixels[..., :3].std() > 0.05, f"{name}: image is nearly uniform"


def test_raster_has_a_band_per_population():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "raster")
    ax = fig.axes[0]
    names = [t.get_text().split(" (")[0] for t in ax.get_yticklabels()]
    assert sorted(names) == sorted(run.spec["network"]["populations"])
    spikes = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert spikes > 1000


@pytest.mark.parametrize(("draw", "path"), [("activity.draw_raster", FEAR),
                                             ("ipsc.draw_ipsc_folds", IPSC)])
def test_drawing_into_a_given_axes(draw, path):
    """The public drawers fill the caller's Axes and touch nothing else of its figure."""
    import importlib

    module, name = draw.split(".")
    drawer = getattr(importlib.import_module(f"allonet.plotting.{module}"), name)
    fig, (left, right) = plt.subplots(1, 2)
    assert drawer(left, read_run(path)) is left
    assert left.has_data() and not right.has_data() and len(fig.axes) == 2
    plt.close(fig)


def test_rates_panels_match_population_rates():
    """The plotted session-mean rate of each population equals its spike count / (n * duration)."""
    run = read_run(FEAR)
    fig = catalogue.draw(run, "rates")
    panels = {next(t.get_text() for t in ax.texts if t.get_text() in run.spec["network"][
        "populations"]): ax for ax in fig.axes if ax.axison and ax.texts}
    stop = float(run.data["phases/stop"].max())
    for pop, ax in panels.items():
        n = run.spec["network"]["populations"][pop]["n"]
        t = run.data[f"spikes/{pop}/timestamps"]
        expected = np.sum(t <= stop) / (n * stop)
        plotted = np.mean(ax.get_lines()[0].get_ydata())
        assert plotted == pytest.approx(expected, rel=0.05, abs=0.05), pop


def test_freezing_uses_the_freezing_table_when_present():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "freezing")
    plotted = np.concatenate([line.get_ydata() for line in fig.axes[0].get_lines()])
    table = run.table("readouts/freezing")
    assert sorted(plotted) == pytest.approx(sorted(table["freezing"]))
    assert "freezing proxy" in fig.axes[0].get_ylabel()


def test_freezing_falls_back_to_cs_rates_without_a_table():
    run = read_run(VLACHOS)
    assert not run.table("readouts/freezing")
    fig = catalogue.draw(run, "freezing")
    assert "CS rate (Hz)" in fig.axes[0].get_ylabel()


def test_neurons_shows_class_fractions_when_present():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "neurons")
    bars = [c for c in fig.axes[1].containers if isinstance(c, BarContainer)][0]
    table = run.table("readouts/neuron_classes")
    shown = [k for k, c in enumerate(table["class"]) if c != "fear_responsive"]
    assert [b.get_height() for b in bars] == pytest.approx(table["fraction"][shown] * 100)


def test_ensembles_bars_are_the_overlap_table():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "ensembles")
    [bars] = fig.axes[0].containers
    assert [b.get_height() for b in bars] == pytest.approx(
        run.table("readouts/ensemble_overlap")["overlap"])
    assert catalogue.CATALOGUE["ensembles"].missing(read_run(VLACHOS))


def test_weights_plot_every_plastic_population():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "weights")
    plastic = {k.split("/")[1] for k in run.data if k.startswith("weights/")}
    assert len([ax for ax in fig.axes if ax.get_lines()]) == 2 * len(plastic)


def test_allo_shows_both_clocks():
    run = read_run(FEAR)
    fig = catalogue.draw(run, "allo")
    texts = " ".join(_labels(fig))
    assert "simulation time (s)" in texts
    assert "biological time (min)" in texts
    peak = max(np.max(line.get_ydata()) for line in fig.axes[0].get_lines())
    assert peak == pytest.approx(run.data["allo/amygdala/concentration"].max())


def test_allo_draws_receptor_states_when_the_run_has_them():
    run = read_run(FEAR)
    assert len(catalogue.draw(run, "allo").axes) == 2  # no receptor plasticity in the fixture
    for k, region in enumerate(("amygdala", "hippocampus")):
        t_bio = run.data[f"allo/{region}/t_bio"]
        run.data[f"receptors/{region}/t_bio"] = t_bio
        run.data[f"receptors/{region}/delta"] = np.full(t_bio.shape, 0.6 + 0.1 * k)
        run.data[f"receptors/{region}/alpha4"] = np.linspace(0.0, 0.3, t_bio.size)
    fig = catalogue.draw(run, "allo")
    states = fig.axes[2]
    assert "receptor state (1)" in _labels(fig)
    drawn = sorted(float(line.get_ydata()[0]) for line in states.get_lines())
    assert drawn == pytest.approx([0.0, 0.0, 0.6, 0.7])


def test_ipsc_fold_matches_the_readout_table():
    run = read_run(IPSC)
    fig = catalogue.draw(run, "ipsc_fold")
    folds = np.concatenate([line.get_ydata() for line in fig.axes[0].get_lines()
                            if line.get_marker() == "o"])
    assert sorted(folds) == pytest.approx(sorted(run.table("readouts/ipsc")["fold"]))


def test_sweep_reads_parameters_and_readouts():
    s = sweep.read_sweep(SWEEP)
    assert s.params == ["drugs.allo_default", "protocol.cs_rate"]
    assert s.units["drugs.allo_default"] == "nM"
    assert not set(s.readouts) & sweep.BOOKKEEPING
    assert all(s.columns[r].dtype.kind == "f" for r in s.readouts)
    assert s.n_points == 12


def test_dose_response_is_mean_and_sem_over_seeds():
    s = sweep.read_sweep(SWEEP).select(readouts=[sweep.read_sweep(SWEEP).readouts[0]])
    fig = catalogue.draw(s, "dose_response")
    readout = s.readouts[0]
    containers = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(containers) == 2  # one line per CS rate
    for container, rate in zip(containers, np.unique(s.columns["protocol.cs_rate"]),
                               strict=True):
        line = container.lines[0]
        rows = s.columns["protocol.cs_rate"] == rate
        for x, y in zip(np.unique(s.columns["drugs.allo_default"]), line.get_ydata(),
                        strict=True):
            values = s.columns[readout][rows & (s.columns["drugs.allo_default"] == x)]
            assert y == pytest.approx(values.mean())
        bars = container.lines[2][0].get_segments()
        for segment, x in zip(bars, np.unique(s.columns["drugs.allo_default"]), strict=True):
            values = s.columns[readout][rows & (s.columns["drugs.allo_default"] == x)]
            sem = values.std(ddof=1) / np.sqrt(values.size)
            assert segment[1][1] - segment[0][1] == pytest.approx(2 * sem, abs=1e-12)


def test_heatmap_cells_are_means_over_seeds():
    s = sweep.read_sweep(SWEEP)
    fig = catalogue.draw(s, "heatmap")
    image = fig.axes[0].get_images()[0].get_array()
    xs, ys, grid = sweep.grid_means(s, *s.params[:2], s.readouts[0])
    assert np.asarray(image) == pytest.approx(grid)
    assert grid.shape == (2, 3)
    for (j, i), value in np.ndenumerate(grid):
        rows = ((s.columns[s.params[0]] == xs[i]) & (s.columns[s.params[1]] == ys[j]))
        assert value == pytest.approx(s.columns[s.readouts[0]][rows].mean())
    assert len(s.columns["seed"][rows]) == 2


def test_mean_sem():
    x = np.array([1.0, 1.0, 2.0, 2.0, 2.0])
    y = np.array([1.0, 3.0, 2.0, 4.0, 6.0])
    levels, mean, sem, count = sweep.mean_sem(x, y)
    assert list(levels) == [1.0, 2.0]
    assert list(mean) == [2.0, 4.0]
    assert sem == pytest.approx([np.sqrt(2) / np.sqrt(2), 2 / np.sqrt(3)])
    assert list(count) == [2, 3]


def test_run_command_figures_keep_working(tmp_path):
    """``allonet run`` draws FIGURES[kind](run) and saves PNG + PDF with provenance."""
    from allonet.plotting import FIGURES
    from allonet.plotting import save as run_save

    for path, kind in ((FEAR, "fear_conditioning"), (IPSC, "ipsc_dose_response")):
        run = read_run(path)
        paths = run_save(FIGURES[kind](run), tmp_path / path.stem)
        assert [p.suffix for p in paths] == [".png", ".pdf"]
        assert path.name.encode() in paths[1].read_bytes()
