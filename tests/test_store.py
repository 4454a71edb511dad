"""Run files: atomic writes, no silent overwrite, plain-h5py readability, round trip."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from allonet import store
from allonet.errors import OutputExistsError
from allonet.store import Column, RunData, read_run, remove_stale_temporaries, write_run


def _run() -> RunData:
    return RunData(
        attrs={"experiment": "demo", "seed": 3, "versions": {"brian2": "x"}},
        spec={"experiment": {"name": "demo"}, "network": {"name": "net"}},
        overrides=["seed=3"],
        datasets={
            "spikes/pop/timestamps": Column(np.array([0.1, 0.2]), "s"),
            "spikes/pop/node_ids": Column(np.array([0, 1], dtype=np.uint64), "1"),
            "readouts/x/profile": Column(np.array(["a", "b"]), "str"),
            "traces/pop/v": Column(np.random.default_rng(0).normal(size=(2, 3, 5000)), "V"),
        },
    )


def test_round_trip_and_plain_h5py(tmp_path):
    path = write_run(tmp_path / "run.h5", _run())
    back = read_run(path)
    assert back.attrs["seed"] == 3 and back.attrs["versions"] == {"brian2": "x"}
    assert back.spec["network"]["name"] == "net" and back.overrides == ["seed=3"]
    np.testing.assert_array_equal(back.data["spikes/pop/timestamps"], [0.1, 0.2])
    assert list(back.table("readouts/x")["profile"]) == ["a", "b"]
    with h5py.File(path) as h5:  # plain h5py, units on every dataset
        assert h5["spikes/pop/timestamps"].attrs["unit"] == "s"
        assert h5["traces/pop/v"].compression == "gzip"
        for name in ("spikes/pop/node_ids", "readouts/x/profile", "traces/pop/v"):
            assert "unit" in h5[name].attrs


def test_run_in_memory_is_what_its_file_reads_back(tmp_path):
    """The run a simulation returns (``store.run_file``, used instead of reading the file just
    written) holds exactly what ``read_run`` of that file gives."""
    data = _run()
    data.attrs |= {"build": {"run_seconds": [1.5], "direct": True}, "tags": ["a", "b"],
                   "count": np.int64(4), "ratio": np.float64(0.5)}
    path = write_run(tmp_path / "run.h5", data)
    back, memory = read_run(path), store.run_file(data, path)
    assert memory.path == back.path
    assert memory.attrs.keys() == back.attrs.keys() >= {"format", "magic", "version", "build"}
    for key, value in back.attrs.items():
        np.testing.assert_equal(memory.attrs[key], value, err_msg=key)
        assert type(memory.attrs[key]) is type(value), key
    assert (memory.spec, memory.overrides, memory.units) == (back.spec, back.overrides, back.units)
    assert memory.data.keys() == back.data.keys()
    for key, value in back.data.items():
        np.testing.assert_array_equal(memory.data[key], value, err_msg=key)
        assert memory.data[key].shape == value.shape, key


def test_never_overwrites_silently(tmp_path):
    path = tmp_path / "run.h5"
    path.write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        write_run(path, _run())
    assert path.read_bytes() == b"keep"
    write_run(path, _run(), overwrite=True)
    assert read_run(path).attrs["experiment"] == "demo"


def test_killed_writer_leaves_no_output(tmp_path):
    target = tmp_path / "run.h5"
    script = textwrap.dedent(f"""
        import os, signal
        import allonet.store as store
        from tests_helper import make_run
        original = store._write_contents
        def crash(h5, run):
            original(h5, run)
            h5.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # killed mid-write, before the rename
        store._write_contents = crash
        store.write_run({str(target)!r}, make_run())
    """)
    helper = tmp_path / "tests_helper.py"
    helper.write_text("from test_store import _run as make_run\n")
    env_path = f"{tmp_path}:{__import__('pathlib').Path(__file__).parent}"
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, timeout=120,
                            env={**__import__("os").environ, "PYTHONPATH": env_path})
    assert result.returncode == -9
    assert not target.exists()
    leftovers = [p for p in tmp_path.iterdir() if "allonet-tmp" in p.name]
    assert len(leftovers) == 1
    assert remove_stale_temporaries(target) == leftovers
    write_run(target, _run())  # the next run writes normally
    assert target.exists() and not [p for p in tmp_path.iterdir() if "allonet-tmp" in p.name]


def test_temporaries_name_their_host_and_foreign_ones_are_kept_while_fresh(tmp_path,
                                                                           monkeypatch):
    """On a folder shared by several machines a pid means nothing elsewhere: a temporary of
    another host is kept until it is older than FOREIGN_TMP_AGE_S, one of this host as soon as
    its process has ended; the written file is flushed to disk before and after the rename."""
    target = tmp_path / "run.h5"
    here = f".allonet-tmp-run.h5.999999999@{store._host()}"
    fresh, old = (tmp_path / f".allonet-tmp-run.h5.{os.getpid()}@other.host.{n}"
                  for n in ("a", "b"))
    for tmp in (tmp_path / here, fresh, old):
        tmp.write_bytes(b"partial")
    age = store.FOREIGN_TMP_AGE_S + 60
    os.utime(old, (old.stat().st_atime - age, old.stat().st_mtime - age))
    synced: list[str] = []
    original = store._fsync
    monkeypatch.setattr(store, "_fsync", lambda p: (synced.append(p.name), original(p)))
    assert sorted(remove_stale_temporaries(target)) == sorted([tmp_path / here, old])
    write_run(target, _run())
    assert fresh.exists() and target.exists()
    assert synced[0].startswith(".allonet-tmp-run.h5.") and synced[0].endswith(
        f"{os.getpid()}@{store._host()}")
    assert synced[1] == tmp_path.name
