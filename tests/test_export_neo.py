"""Neo export: a Block with one Segment per phase whose SpikeTrains feed Elephant; the mean rates
Elephant computes from it equal allonet's own CS-window readouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

neo = pytest.importorskip("neo")
elephant_statistics = pytest.importorskip("elephant.statistics")
pq = pytest.importorskip("quantities")

from allonet.cli import main  # noqa: E402
from allonet.store import read_run  # noqa: E402

DATA = Path(__file__).parent / "data"
FEAR = DATA / "fear_extinction.h5"


@pytest.fixture(scope="module")
def block(tmp_path_factory):
    """The fear fixture exported with ``allonet export --to neo`` and read back with Neo."""
    path = tmp_path_factory.mktemp("neo") / "fear.pkl"
    assert main(["export", str(FEAR), "--to", "neo", "-o", str(path)]) == 0
    return neo.io.PickleIO(str(path)).read_block()


def test_one_segment_per_phase_with_every_neuron(block):
    run = read_run(FEAR)
    pops = run.spec["network"]["populations"]
    assert [s.name for s in block.segments] == list(run.data["phases/name"])
    for segment, start, stop in zip(block.segments, run.data["phases/start"],
                                    run.data["phases/stop"], strict=True):
        assert len(segment.spiketrains) == sum(p["n"] for p in pops.values())
        for train in segment.spiketrains[:50]:
            assert float(train.t_start.rescale("s")) == pytest.approx(start)
            assert float(train.t_stop.rescale("s")) == pytest.approx(stop)
    assert {g.name for g in block.groups} == set(pops)


def test_annotations(block):
    run = read_run(FEAR)
    train = next(st for st in block.segments[1].spiketrains
                 if st.annotations["population"] == "BA" and st.annotations["neuron"] == 2)
    assert train.annotations["region"] == "amygdala"
    assert train.annotations["subgroup"] == "fear"
    phase = run.data["phases/name"][1]
    start, stop = run.data["phases/start"][1], run.data["phases/stop"][1]
    t = run.data["allo/amygdala/t_sim"]
    c = run.data["allo/amygdala/concentration"]
    assert phase == block.segments[1].name
    assert train.annotations["allo_nM"] == pytest.approx(c[(t >= start) & (t < stop)].mean())
    assert block.annotations["simulator"].startswith("allonet")
    cs = next(e for e in block.segments[1].epochs if e.name == "CS")
    rows = run.data["epochs/phase"] == phase
    np.testing.assert_allclose(cs.times.rescale("s").magnitude, run.data["epochs/cs_start"][rows])


def test_spike_times_match_the_run_file(block):
    run = read_run(FEAR)
    t = run.data["spikes/CeM/timestamps"]
    ids = run.data["spikes/CeM/node_ids"].astype(int)
    start, stop = run.data["phases/start"][1], run.data["phases/stop"][1]
    for train in block.segments[1].spiketrains:
        if train.annotations["population"] != "CeM":
            continue
        mine = t[(ids == train.annotations["neuron"]) & (t >= start) & (t < stop)]
        np.testing.assert_allclose(train.rescale("s").magnitude, np.sort(mine), atol=1e-12)


def _window(train, start: float, stop: float):
    """``train`` in the CS window ``[start, stop)`` (allonet counts spikes half-open)."""
    sliced = train.time_slice(start * pq.s, stop * pq.s)
    return sliced[sliced < stop * pq.s]


def test_elephant_mean_rates_match_allonet_cs_rates(block):
    """Per CS and group: mean over neurons of Elephant's mean_firing_rate in the CS window equals
    readouts/cs_rates (which allonet computes from the run file). Every group, the first CS of
    each phase."""
    run = read_run(FEAR)
    table = run.table("readouts/cs_rates")
    readout = run.spec["experiment"]["protocol"]["readout_population"]
    subgroups = run.spec["network"]["populations"][readout]["subgroups"]
    segments = {s.name: s for s in block.segments}
    checked = 0
    for k in range(len(table["rate"])):
        group, phase = str(table["group"][k]), str(table["phase"][k])
        trials = table["trial"][table["phase"] == phase]
        if table["trial"][k] != trials.min():
            continue
        rows = (run.data["epochs/phase"] == phase) & (run.data["epochs/trial"] == table["trial"][k])
        start = float(run.data["epochs/cs_start"][rows][0])
        stop = float(run.data["epochs/cs_stop"][rows][0])
        if group in subgroups:
            first, last = subgroups[group]
            trains = [st for st in segments[phase].spiketrains
                      if st.annotations["population"] == readout
                      and first <= st.annotations["neuron"] < last]
        else:
            trains = [st for st in segments[phase].spiketrains
                      if st.annotations["population"] == group]
        rates = [float(elephant_statistics.mean_firing_rate(_window(st, start, stop))
                       .rescale("Hz")) for st in trains]
        assert np.mean(rates) == pytest.approx(table["rate"][k], rel=1e-9, abs=1e-9), (group, k)
        checked += 1
    assert checked == len(set(table["phase"])) * len(set(table["group"])) > 100


def test_neo_output_suffix_is_checked(tmp_path, capsys):
    assert main(["export", str(FEAR), "--to", "neo", "-o", str(tmp_path / "x.txt")]) == 2
    assert "must end in .pkl or .nix" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
