"""``allonet plot``: formats, output folders, provenance in file metadata, and bad input (exit 2,
one line, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from allonet.cli import main
from allonet.plotting.catalogue import CATALOGUE
from allonet.provenance import git_commit
from allonet.store import read_run

DATA = Path(__file__).parent / "data"
FEAR = DATA / "fear_extinction.h5"
IPSC = DATA / "ipsc.h5"
SWEEP = DATA / "sweep"


def _allonet(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allonet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_list_names_every_figure(capsys):
    assert main(["plot", "--list"]) == 0
    out = capsys.readouterr().out
    for name in CATALOGUE:
        assert name in out


def test_plot_writes_each_format_with_provenance(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["plot", str(IPSC), "--figure", "ipsc_fold", "--format", "pdf", "--format", "svg",
                 "--format", "png", "-o", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["ipsc_fold.pdf", "ipsc_fold.png", "ipsc_fold.svg"]
    data_commit = read_run(IPSC).attrs["git_commit"]
    code_commit = git_commit()
    pdf = (out / "ipsc_fold.pdf").read_bytes()
    assert str(IPSC).encode() in pdf and data_commit.encode() in pdf
    assert code_commit.encode() in pdf
    svg = (out / "ipsc_fold.svg").read_text()
    assert "<dc:source>" in svg and str(IPSC) in svg and data_commit in svg
    png = Image.open(out / "ipsc_fold.png").text
    assert png["Source"] == str(IPSC)
    assert png["allonet:data_commit"] == data_commit
    assert png["allonet:code_commit"] == code_commit


def test_default_is_every_applicable_figure_as_pdf(tmp_path):
    source = tmp_path / "ipsc.h5"
    source.write_bytes(IPSC.read_bytes())
    assert main(["plot", str(source)]) == 0
    written = sorted(p.name for p in (tmp_path / "ipsc-figures").iterdir())
    assert written == ["ipsc_fold.pdf", "ipsc_overview.pdf", "ipsc_traces.pdf"]


def test_sweep_directory(tmp_path):
    assert main(["plot", str(SWEEP), "--figure", "heatmap", "--readout", "cs_rates.*.fear",
                 "--format", "png", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "heatmap.png").stat().st_size > 10_000


@pytest.mark.parametrize(("args", "fragment"), [
    (["missing.h5"], "no such file"),
    ([str(FEAR), "--figure", "nonsense"], "unknown figure"),
    ([str(FEAR), "--figure", "ipsc_fold"], "ipsc_dose_response"),
    ([str(FEAR), "--figure", "heatmap"], "draws from a sweep"),
    ([str(SWEEP), "--readout", "nothing*"], "no readout matches"),
    ([str(DATA / "make_fixtures.py")], "not a readable allonet run file"),
    ([str(Path(__file__).parent)], "not a sweep directory"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, fragment):
    out = tmp_path / "out"
    assert main(["plot", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert fragment in lines[0]
    assert not out.exists()


def test_bad_input_from_the_shell_has_no_traceback(tmp_path):
    result = _allonet("plot", "missing.h5", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: missing.h5: no such file or directory"


def test_not_a_run_file_h5(tmp_path):
    import h5py

    bogus = tmp_path / "bogus.h5"
    with h5py.File(bogus, "w") as h5:
        h5["x"] = [1, 2, 3]
    result = _allonet("plot", bogus, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a readable allonet run file" in result.stderr
    assert not (tmp_path / "bogus-figures").exists()


def test_figure_set_script_draws_from_results_without_simulating(tmp_path):
    """experiments/figures/make_figures.py (``make figures``) with a spec pointing at fixtures."""
    import yaml

    spec = tmp_path / "set.yaml"
    spec.write_text(yaml.safe_dump({
        "output": str(tmp_path / "out"), "formats": ["pdf"],
        "entries": [
            {"name": "ipsc", "source": "tests/data/ipsc.h5", "make": "-",
             "figures": ["ipsc_fold"]},
            {"name": "sweep", "source": "tests/data/sweep", "make": "-",
             "figures": ["dose_response"], "readouts": ["cs_rates.*.fear"]},
            {"name": "absent", "source": "results/not-there.h5", "make": "make run",
             "figures": ["raster"]},
        ]}))
    repo = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "experiments/figures/make_figures.py", str(spec)],
                            cwd=repo, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "skip absent: results/not-there.h5 missing; make it with: make run" in result.stdout
    assert (tmp_path / "out" / "ipsc" / "ipsc_fold.pdf").is_file()
    assert (tmp_path / "out" / "sweep" / "dose_response.pdf").is_file()
    strict = subprocess.run([sys.executable, "experiments/figures/make_figures.py", str(spec),
                             "--strict"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert strict.returncode == 2
