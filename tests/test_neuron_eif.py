"""The exponential integrate-and-fire model (``model: eif``), the worked example of adding a neuron
model (docs/architecture.md): one registry entry and its name in the spec.

Its analytic rheobase (Fourcaud-Trocmé et al. 2003): the steady-state current
``I(v) = gL*(v - EL) - gL*DeltaT*exp((v - VT)/DeltaT)`` has its maximum at ``v = VT``, so a
constant current fires the cell iff it exceeds ``gL*(VT - EL - DeltaT)``, lower than the LIF
rheobase ``gL*(VT - EL)`` by ``gL*DeltaT``. Above it the bifurcation is a saddle-node: the rate
starts from zero and grows like the square root of the excess current.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from allonet.describe import describe
from allonet.engine import Condition, run_conditions
from allonet.model import build_model
from allonet.spec import load_experiment, load_network
from allonet.units import parse_quantity
from conftest import IPSC_SPEC, REPO

NETWORK = REPO / "networks" / "ipsc_cell.yaml"
#: currents as multiples of the analytic rheobase, one neuron each
MULTIPLES = np.array([0.95, 0.99, 1.02, 1.08, 1.3])
DURATION = 2.0  # s
#: DeltaT 2 mV and V_peak at VT + 5 DeltaT (the upswing is cut before exp overflows a step)
EIF = ["populations.post.model=eif", "populations.post.params.DeltaT=2 mV",
       "populations.post.params.V_peak=-40 mV",
       "populations.post.clamp=null", "populations.post.method=rk4", "integration.dt=0.05 ms",
       f"populations.post.n={len(MULTIPLES)}"]


def test_describe_shows_the_eif_equations():
    text = describe(load_experiment(IPSC_SPEC, EIF))
    assert "# neuron model eif: exponential integrate-and-fire" in text
    assert "gL*DeltaT*exp((v - VT)/DeltaT)" in text and "dw_ad/dt" not in text
    assert "threshold: v > V_peak" in text and "reset: v = Vr" in text


def test_eif_needs_delta_t():
    with pytest.raises(Exception, match="model 'eif' needs params.DeltaT"):
        load_network(NETWORK, [("populations.post.model", "eif"),
                               ("populations.post.clamp", "null")])


@pytest.mark.slow
def test_eif_fires_exactly_above_its_analytic_rheobase():
    net = load_experiment(IPSC_SPEC, EIF).network
    p = net.populations["post"].params
    gL, EL, VT, delta = (float(parse_quantity(q)) for q in (p.gL, p.EL, p.VT, p.DeltaT))
    rheobase = gL * (VT - EL - delta)  # A
    zeros = np.zeros((1, len(net.regions)))

    def factory(drugs):
        model = build_model(net, drugs, sample_dt=DURATION)
        model.groups["post"].I_ext = MULTIPLES * rheobase * b2.amp
        return model, {"spikes": b2.SpikeMonitor(model.groups["post"], name="spikes_post")}

    def collect(recording):
        return {"i": recording["spikes"]["i"]}

    [result], _ = run_conditions("runtime", factory, collect,
                                 [Condition("c", {"allo": zeros, "bz": zeros})], DURATION,
                                 float(parse_quantity(net.integration.dt)), seed=1,
                                 structure={"test": "eif"})
    rates = np.bincount(result["i"], minlength=len(MULTIPLES)) / DURATION
    below = MULTIPLES < 1
    assert np.all(rates[below] == 0), rates
    assert np.all(rates[~below] > 0), rates
    # below the LIF rheobase gL*(VT - EL) too: the exponential term lowers it by gL*DeltaT
    assert MULTIPLES[2] * rheobase < gL * (VT - EL)
    assert np.all(np.diff(rates[~below]) > 0), rates
    # saddle-node: near rheobase the rate grows like sqrt(I - I_rh) (4x the excess, ~2x the rate)
    assert rates[3] / rates[2] == pytest.approx(2.0, rel=0.25), rates

