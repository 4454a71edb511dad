"""SONATA spike groups: a fear run file written through the store carries the spec's attributes,
and bmtk's and libsonata's readers (when installed) read every spike with allonet's times in
seconds."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

import allonet
from allonet.sonata import sorting
from allonet.store import read_run

FEAR = Path(__file__).parent / "data" / "fear_extinction.h5"


@pytest.fixture(scope="module")
def fear_run(tmp_path_factory) -> Path:
    """The fear fixture's datasets written anew by :func:`allonet.store.write_run`."""
    return allonet.read_run(FEAR).save(tmp_path_factory.mktemp("sonata") / "fear.h5")


def _allonet_spikes(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    run = read_run(path, groups=("spikes",))
    pops = {k.split("/")[1] for k in run.data}
    return {p: (run.data[f"spikes/{p}/timestamps"], run.data[f"spikes/{p}/node_ids"])
            for p in pops}


def test_spec_attributes(fear_run):
    with h5py.File(fear_run) as h5:
        assert h5.attrs["magic"] == 0x0A7A and h5.attrs["magic"].dtype == np.uint32
        np.testing.assert_array_equal(h5.attrs["version"], [0, 1])
        assert h5.attrs["version"].dtype == np.uint32
        for name, group in h5["spikes"].items():
            enum = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype)
            assert enum == {"none": 0, "by_id": 1, "by_time": 2}, name
            assert group.attrs["sorting"] == enum["by_time"], name  # Brian2 records in time order
            assert group["timestamps"].attrs["units"] == "s"
            assert group["timestamps"].dtype == np.float64
            assert group["node_ids"].dtype == np.uint64
    assert read_run(fear_run).attrs["format"] == read_run(FEAR).attrs["format"]


def test_sorting_detects_order():
    assert sorting(np.array([0.1, 0.1, 0.3]), np.array([2, 0, 1])) == "by_time"
    assert sorting(np.array([0.3, 0.5, 0.1]), np.array([0, 0, 1])) == "by_id"
    assert sorting(np.array([0.5, 0.3, 0.1]), np.array([0, 0, 1])) == "none"
    assert sorting(np.zeros(0), np.zeros(0, dtype=np.uint64)) == "by_time"


def test_bmtk_reads_times_in_seconds(fear_run):
    spike_trains = pytest.importorskip("bmtk.utils.reports.spike_trains")
    from bmtk.utils.reports.spike_trains.core import find_conversion

    trains = spike_trains.SpikeTrains.load(str(fear_run))
    ours = _allonet_spikes(fear_run)
    assert set(trains.populations) == set(ours)
    for pop, (t, ids) in ours.items():
        assert trains.units(population=pop) == "s"
        to_s = find_conversion(trains.units(population=pop), "s")
        frame = trains.to_dataframe(populations=pop)
        np.testing.assert_array_equal(frame["timestamps"].to_numpy() * to_s, t)
        np.testing.assert_array_equal(frame["node_ids"].to_numpy(), ids)
        node = int(np.bincount(ids.astype(np.int64)).argmax())
        np.testing.assert_array_equal(trains.get_times(node, population=pop), t[ids == node])
    # the run lasts seconds, and bmtk says so in its own milliseconds too
    last = max(float(t.max()) for t, _ in ours.values())
    assert last > 1.0
    end = trains.time_range(populations=list(ours))[1]
    assert end * find_conversion(trains.units(), "ms") == pytest.approx(last * 1e3)


def test_libsonata_reads_times_in_seconds(fear_run):
    libsonata = pytest.importorskip("libsonata")
    reader = libsonata.SpikeReader(str(fear_run))
    ours = _allonet_spikes(fear_run)
    assert set(reader.get_population_names()) == set(ours)
    for pop, (t, ids) in ours.items():
        population = reader[pop]
        assert population.sorting == "by_time"
        arrays = population.get_dict()
        np.testing.assert_array_equal(arrays["timestamps"], t)
        np.testing.assert_array_equal(arrays["node_ids"], ids)
