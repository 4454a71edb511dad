"""Protocol ``background``: strict spec checks and readouts computed from a run's datasets alone
(synthetic spikes and LFP proxy with a known rhythm; no simulation)."""

from __future__ import annotations

import numpy as np
import pytest

from allonet.errors import SpecError
from allonet.protocols.background import lfp_proxy, readouts
from allonet.spec import load_experiment
from conftest import REPO

SPEC = REPO / "experiments" / "bla_theta.yaml"


@pytest.mark.parametrize(("override", "message"), [
    ("protocol.segment=5 s", "shorter than segment"),
    ("protocol.bands={theta: [6 Hz, 120 Hz]}", "bands.theta"),
    ("protocol.lfp.channels=[ampa, nmda]", "lfp.channels.1"),
    ("protocol.lfp.cells=900", "more than the 400 neurons"),
    ("protocol.spectra=[PN, CeM]", "spectra.1"),
    ("protocol.lfp.interval=0 ms", "interval"),
])
def test_bad_background_protocol_is_one_clear_error(override, message):
    with pytest.raises(SpecError, match=message):
        load_experiment(SPEC, [override])


def _synthetic_run(specs, rng) -> dict[str, np.ndarray]:
    """Datasets of a fake run: PN fire in 8 Hz volleys, PV and SOM at random; the LFP proxy
    channels carry an 8 Hz sine (ampa) and noise (GABA channels)."""
    proto, net = specs.experiment.protocol, specs.network
    duration = 3.0
    data = {}
    for name, pop in net.populations.items():
        if name == "PN":  # every neuron fires in 10% of the 8 Hz cycles, 20 ms jitter
            cycles = np.arange(0.0, duration, 1 / 8)
            fire = rng.random((pop.n, cycles.size)) < 0.1
            times = (np.broadcast_to(cycles, fire.shape)[fire]
                     + rng.normal(0.0, 0.02, fire.sum()))
            ids = np.nonzero(fire)[0]
        else:  # 5 Hz Poisson
            count = rng.poisson(5.0 * duration * pop.n)
            times, ids = rng.uniform(0.0, duration, count), rng.integers(0, pop.n, count)
        order = np.argsort(times)
        data[f"spikes/{name}/timestamps"] = times[order]
        data[f"spikes/{name}/node_ids"] = ids[order].astype(np.uint64)
    t = np.arange(0.0, duration, 1e-3)
    data["lfp/t"] = t
    data["lfp/ampa"] = 1e-9 * (2 + np.sin(2 * np.pi * 8 * t))  # 8 Hz, 1 nA amplitude
    for ch in proto.lfp.channels[1:]:
        data[f"lfp/{ch}"] = 1e-11 * np.abs(rng.normal(size=t.size))  # small broadband noise
    return data


def test_readouts_find_a_known_theta_rhythm():
    specs = load_experiment(SPEC, ["protocol.duration=3 s"])
    data = _synthetic_run(specs, np.random.default_rng(1))
    out = {k: v.data for k, v in readouts(specs, data).items()}
    rates = dict(zip(out["readouts/rates/population"], out["readouts/rates/rate"], strict=True))
    assert rates["PN"] == pytest.approx(0.8, rel=0.1)  # 10% of 8 cycles per second
    assert rates["PV"] == pytest.approx(5.0, rel=0.1)
    rhythm = {(p, b): (w, f) for p, b, w, f in zip(
        *(out[f"readouts/rhythms/{k}"] for k in ("population", "band", "power", "fraction")),
        strict=True)}
    assert rhythm["PN", "theta"][1] > 0.3 > rhythm["PN", "gamma"][1]
    assert rhythm["PV", "theta"][1] < 0.15  # white: (12 - 6 + 1) / 100 of the power
    lfp = dict(zip(out["readouts/lfp/band"], out["readouts/lfp/fraction"], strict=True))
    assert lfp["theta"] > 0.95 and lfp["gamma"] < 0.01
    power = dict(zip(out["readouts/lfp/band"], out["readouts/lfp/power"], strict=True))
    assert power["theta"] == pytest.approx(1000.0**2 / 2, rel=0.05)  # sine variance, pA^2
    peaks = dict(zip(out["readouts/peaks/signal"], out["readouts/peaks/frequency"], strict=True))
    assert peaks["lfp"] == 8.0 and peaks["PN"] == 8.0
    assert lfp_proxy(data, ["ampa"]) == pytest.approx(data["lfp/ampa"])
