"""The study report at the end of a sweep, on fake sweeps (run files holding only readouts; nothing
is simulated): statistics, paired effects, summary.csv, the figure, the CLI and spec errors."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np
import pytest

from allonet.errors import SpecError
from allonet.store import FORMAT
from allonet.sweep import state
from allonet.sweep.index import build_index
from allonet.sweep.manifest import prepare
from allonet.sweep.report import build_report, write_report
from allonet.sweep.spec import load_sweep
from conftest import run_cli, sweep_spec_file

SEEDS = [1, 2, 3, 4]
CONTROL = [10.0 + s for s in SEEDS]  # CeM recall rate (Hz) of the control, by seed
DIFF = [-1.0, 2.0, 3.0, 8.0]  # ALLO - control, by seed: one seed lower, three higher
SUMMARY = {"conditions": ["control", "ALLO 300 nM"], "readouts": [
    {"column": "cs_rates.recall.CeM", "label": "CeM, recall CS", "unit": "Hz"},
    {"column": "cs_rates.extinction.CeM", "label": "CeM, extinction CS", "unit": "Hz"}]}


def _body(summary: dict | None = SUMMARY) -> dict:
    design = {"kind": "list", "points": [{"drugs.allo_default": "10 nM"},
                                         {"drugs.allo_default": "300 nM"}]}
    return {"parameters": design, "seeds": SEEDS} | ({"summary": summary} if summary else {})


def _fake_run(path: Path, seed: int, recall: float) -> None:
    """A run file as the sweep index reads it: format mark, spec, seed, a cs_rates table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as h5:
        h5.attrs.update(format=FORMAT, seed=seed, wall_time_s=1.0)
        h5["spec/experiment"] = "{}"
        table = h5.create_group("readouts/cs_rates")
        text = h5py.string_dtype()
        table.create_dataset("phase", data=["recall", "recall", "extinction", "extinction"],
                             dtype=text)
        table.create_dataset("group", data=["CeM", "BA", "CeM", "BA"], dtype=text)
        table.create_dataset("rate", data=[recall, 1.0, 2.0, 1.0]).attrs["unit"] = "Hz"


def _fake_sweep(tmp_path: Path, summary: dict | None = SUMMARY, skip: tuple[int, ...] = ()
                ) -> tuple[Path, Path]:
    """Spec and directory of a 2 conditions x 4 seeds sweep, every point but ``skip`` done."""
    spec = sweep_spec_file(tmp_path, _body(summary))
    out = tmp_path / "out"
    manifest = prepare(load_sweep(spec), spec, out)
    values = CONTROL + [c + d for c, d in zip(CONTROL, DIFF, strict=True)]
    for point, value in zip(manifest.points, values, strict=True):
        if point.index not in skip:
            _fake_run(state.run_path(out, point.index), point.seed, value)
    return spec, out


def test_means_sems_and_paired_effects(tmp_path):
    _, out = _fake_sweep(tmp_path)
    build_index(out)
    report = build_report(out)
    control, allo = report.readouts[0], report.conditions
    assert allo == ["control", "ALLO 300 nM"] and report.baseline == "control"
    base = report.cell("control", control)
    assert base.stat.mean == pytest.approx(12.5)
    assert base.stat.sem == pytest.approx(np.std(CONTROL, ddof=1) / 2)
    assert base.stat.n == 4 and base.effect is None
    treated = report.cell("ALLO 300 nM", control)
    assert treated.stat.mean == pytest.approx(12.5 + 3.0)
    assert treated.values == {s: c + d for s, c, d in zip(SEEDS, CONTROL, DIFF, strict=True)}
    assert treated.effect.difference == pytest.approx(3.0)
    assert treated.effect.cohen_d == pytest.approx(3.0 / np.std(DIFF, ddof=1))  # 0.80
    assert (treated.effect.b_greater, treated.effect.n) == (3, 4)
    flat = report.cell("ALLO 300 nM", report.readouts[1])  # no spread: d undefined
    assert flat.stat.mean == 2.0 and np.isnan(flat.effect.cohen_d) and flat.effect.b_greater == 0
    assert (report.runs, report.missing) == (8, {})


def test_summary_csv_figure_and_printed_table(tmp_path, capsys):
    spec, out = _fake_sweep(tmp_path)
    assert run_cli("sweep", spec, "-o", out, "-q") == 0  # all done: indexes, then reports
    printed = capsys.readouterr().out
    assert "t: summary of 8 of 8 runs\n" in printed
    lines = printed.splitlines()
    header = lines.index("mean ± s.e.m. over seeds") + 1
    assert lines[header].split("  ")[0] == "condition"
    assert "CeM, recall CS (Hz)" in lines[header] and "CeM, extinction CS (Hz)" in lines[header]
    assert lines[header + 2].startswith("control ") and "12.5 ± 0.6" in lines[header + 2]
    assert lines[header + 3].startswith("ALLO 300 nM ") and "15.5 ± 2.5" in lines[header + 3]
    assert "Cohen's d of paired differences vs control" in printed
    effects = next(line for line in lines[header + 4:] if line.startswith("ALLO 300 nM"))
    assert "+0.80 (3/4)" in effects and "n/a (0/4)" in effects
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert list(rows[0]) == ["condition", "readout", "unit", "mean", "sem", "n",
                             "diff_vs_baseline", "d_vs_baseline", "n_higher"]
    assert [(r["condition"], r["readout"]) for r in rows] == [
        ("control", "CeM, recall CS"), ("control", "CeM, extinction CS"),
        ("ALLO 300 nM", "CeM, recall CS"), ("ALLO 300 nM", "CeM, extinction CS")]
    assert rows[0]["diff_vs_baseline"] == rows[0]["d_vs_baseline"] == rows[0]["n_higher"] == ""
    assert float(rows[2]["mean"]) == pytest.approx(15.5) and rows[2]["unit"] == "Hz"
    assert float(rows[2]["diff_vs_baseline"]) == pytest.approx(3.0)
    assert float(rows[2]["d_vs_baseline"]) == pytest.approx(0.8018, abs=1e-4)
    assert rows[2]["n_higher"] == "3" and rows[2]["n"] == "4"
    for suffix in ("png", "pdf"):
        assert (out / "figures" / f"summary.{suffix}").stat().st_size > 10_000
    assert not list(out.glob(".*.tmp"))


def test_partial_sweep_reports_done_runs_and_says_what_is_missing(tmp_path, capsys):
    _, out = _fake_sweep(tmp_path, skip=(7,))
    assert run_cli("sweep", "report", out) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"rebuilt {out / 'index.csv'}")  # no index yet: built first
    assert "summary of 7 of 8 runs (1 missing: 1 pending)" in printed
    report = build_report(out)
    effect = report.cell("ALLO 300 nM", report.readouts[0]).effect
    assert (effect.b_greater, effect.n) == (2, 3)  # seeds 1-3 only
    assert run_cli("sweep", "report", out) == 0
    assert "rebuilt" not in capsys.readouterr().out  # index up to date: reused


def test_default_conditions_and_baseline_from_the_design(tmp_path):
    spec = sweep_spec_file(tmp_path, {"parameters": {"kind": "grid", "values": {
        "drugs.allo_default": ["0 nM", "100 nM"], "protocol.target": ["post"]}}, "seeds": [1],
        "summary": {"baseline": "100 nM", "readouts": [{"column": "x"}]}})
    loaded = load_sweep(spec)
    assert loaded.condition_labels == ["0 nM", "100 nM"]  # protocol.target does not vary
    assert loaded.summary.readouts[0].name == "x"
    two = sweep_spec_file(tmp_path, {"parameters": {"kind": "list", "points": [
        {"drugs.allo_default": "0 nM", "protocol.target": "a"},
        {"drugs.allo_default": "1 nM", "protocol.target": "b"},
        {"drugs.allo": {"amygdala": "300 nM"}}]}, "seeds": [1]}, "two.yaml")
    assert load_sweep(two).condition_labels == [
        "allo_default=0 nM, target=a", "allo_default=1 nM, target=b", "allo=amygdala: 300 nM"]


@pytest.mark.parametrize(("summary", "says"), [
    (dict(SUMMARY, conditions=["a", "b", "c"]),
     "summary.conditions: 3 labels for 2 design points (list design)"),
    (dict(SUMMARY, baseline="placebo"),
     "summary.baseline: 'placebo' is not one of the conditions ['control', 'ALLO 300 nM']"),
    ({"baseline": "30 nM", "readouts": SUMMARY["readouts"]},
     "summary.baseline: '30 nM' is not one of the conditions ['10 nM', '300 nM']"),
    (dict(SUMMARY, conditions=["a", "a"]), "summary: conditions: each label at most once"),
    (dict(SUMMARY, readouts=[]), "summary.readouts"),
])
def test_bad_summary_is_a_one_line_error_before_anything_runs(tmp_path, capsys, summary, says):
    spec = sweep_spec_file(tmp_path, _body(summary))
    assert run_cli("sweep", spec, "-o", tmp_path / "out", "-q") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {spec}: ") and says in err and "\n" not in err, err
    assert not (tmp_path / "out").exists()


def test_unknown_column_names_close_matches(tmp_path, capsys):
    typo = dict(SUMMARY, readouts=[{"column": "cs_rates.recal.CeM"}])
    spec, out = _fake_sweep(tmp_path, typo)
    build_index(out)
    with pytest.raises(SpecError, match=r"summary.readouts.0.column = 'cs_rates.recal.CeM': not a "
                       r"column of .*index.csv; close matches: cs_rates.recall.CeM"):
        build_report(out)
    assert run_cli("sweep", spec, "-o", out, "-q") == 2  # the sweep is done; its report is not
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "close matches: cs_rates.recall.CeM" in err
    assert not (out / "summary.csv").exists()


def test_nothing_done_is_an_error(tmp_path, capsys):
    _, out = _fake_sweep(tmp_path, skip=tuple(range(8)))
    assert run_cli("sweep", "report", out) == 2
    assert "no run is done yet" in capsys.readouterr().err


def test_report_needs_a_summary_and_the_same_points(tmp_path, capsys):
    spec, out = _fake_sweep(tmp_path, summary=None)
    assert run_cli("sweep", spec, "-o", out, "-q") == 0  # no summary: no report
    assert "summary of" not in capsys.readouterr().out
    assert run_cli("sweep", "report", out) == 2
    assert "no 'summary' section" in capsys.readouterr().err
    other = sweep_spec_file(tmp_path, _body() | {"seeds": [1, 2]}, "other.yaml")
    assert run_cli("sweep", "report", out, "--spec", other) == 2
    assert "its points differ from the sweep" in capsys.readouterr().err
    with_summary = sweep_spec_file(tmp_path, _body(), "with_summary.yaml")
    assert run_cli("sweep", "report", out, "--spec", with_summary) == 0


def test_long_condition_labels_are_wrapped_or_rotated():
    from allonet.plotting.summary import tick_labels

    short, rotate = tick_labels(["0 nM", "10 nM", "100 nM"], 2.0)
    assert short == ["0 nM", "10 nM", "100 nM"] and not rotate
    two, rotate = tick_labels(["synthesis", "finasteride 90% in amygdala"], 2.0)
    assert two == ["synthesis", "finasteride 90%\nin amygdala"] and not rotate
    long, rotate = tick_labels(["control (10 nM)", "3.9 nM throughout", "3.9 nM in extinction"],
                               2.0)
    assert long[2] == "3.9 nM in extinction" and rotate  # one line, slanted


def test_write_report_returns_what_it_wrote(tmp_path):
    _, out = _fake_sweep(tmp_path)
    build_index(out)
    paths = write_report(build_report(out))
    assert [p.relative_to(out).as_posix() for p in paths] == [
        "summary.csv", "figures/summary.png", "figures/summary.pdf"]


def test_paired_effect_size_is_undefined_without_spread():
    """A difference fixed by the spec (e.g. an applied concentration) has no Cohen's d, even
    when floating-point rounding leaves a spread of ~1e-15."""
    from allonet.analysis.study_summary import paired

    a = {s: 10.0 for s in range(1, 6)}
    b = {s: 79.98 + (1e-14 if s % 2 else 0.0) for s in range(1, 6)}
    result = paired(a, b)
    assert result.difference == pytest.approx(69.98)
    assert np.isnan(result.cohen_d)
    assert result.b_greater == 5
    spread = paired(a, {s: 80.0 + 0.1 * s for s in range(1, 6)})
    assert np.isfinite(spread.cohen_d) and spread.cohen_d > 0
