"""ALLO's presynaptic inhibition of glutamate release (issue 21; Hu et al. 2007): the release
curve, the generated model code, the simulated EPSC, the spec's checks, and that nothing changes
while it is off.

The model tests build the IPSC cell with an AMPA projection added beside its GABA-A one and
compare the simulated conductance with :func:`allonet.pharmacology.release_factor`.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest
import yaml

from allonet.errors import SpecError
from allonet.model import build_model
from allonet.model.equations import release_update_code
from allonet.pharmacology import PRESYNAPTIC_RELEASE, ReleaseProfile, release_factor
from allonet.protocols.drugs import drug_structure, release_curves
from allonet.spec import load_experiment, load_network
from conftest import REPO, run_cli

NETWORK = REPO / "networks" / "ipsc_cell.yaml"
FEAR = REPO / "experiments" / "fear_extinction.yaml"
DT = 25e-6


def _network_with_excitation(tmp_path):
    """The IPSC cell with an AMPA projection (peak conductance = weight, 1 nS) beside the GABA-A
    one, the input spiking at 20 and 60 ms."""
    data = yaml.safe_load(NETWORK.read_text())
    data["synapses"]["ampa"] = {"kind": "ampa", "E": "0 mV", "tau_rise": "0.5 ms",
                                "tau_decay": "3 ms"}
    data["projections"]["excitation"] = {"source": "interneuron", "target": "post",
                                         "synapse": "ampa", "weight": "1 nS", "delay": "1 ms",
                                         "connect": "all_to_all"}
    data["inputs"]["interneuron"]["times"] = ["20 ms", "60 ms"]
    path = tmp_path / "cell.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_network(path)


def test_release_curve():
    """1 without ALLO, emax at saturation, half-way at EC50; falls monotonically."""
    c = np.array([0.0, 100.0, 1000.0, 1e7])
    f = release_factor(c)
    assert f[0] == 1.0 and f[-1] == pytest.approx(PRESYNAPTIC_RELEASE.emax, rel=1e-3)
    assert f[2] == pytest.approx((1 + PRESYNAPTIC_RELEASE.emax) / 2)
    assert np.all(np.diff(f) < 0)
    with pytest.raises(ValueError, match="emax"):
        ReleaseProfile(1.5, 1000.0, 1.0, "")


def test_generated_code_is_the_tested_function():
    """The model's update is the release curve evaluated at the region's concentration."""
    code = release_update_code(2)
    assert code.startswith("release = ") and "allo_conc(t, 2)" in code
    expression = code.removeprefix("release = ")
    for c in (0.0, 30.0, 1000.0, 5000.0):
        value = eval(expression, {"allo_conc": lambda t, k, c=c: c, "t": 0.0,  # noqa: S307
                                  "release_emax": 0.4, "release_ec50": 800.0, "release_hill": 1.5})
        assert value == pytest.approx(release_factor(c, ReleaseProfile(0.4, 800.0, 1.5, "")))


def _epsc_peaks(net, release: dict, allo: np.ndarray) -> tuple[float, float]:
    """Peak AMPA conductance (S) after the first and the second input spike (``allo``: one row
    per 50 ms). Brian2's runtime device with numpy code: this tiny network compiles nothing."""
    b2.set_device("runtime")
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * b2.second
    try:
        model = build_model(net, {"allo": allo, "bz": np.zeros_like(allo)}, sample_dt=0.05,
                            release=release)
        monitor = b2.StateMonitor(model.groups["post"], "g_ampa", record=True)
        model.network(monitor).run(0.1 * b2.second, namespace={})
    finally:
        b2.prefs.codegen.target = "cython"
    t, g = np.asarray(monitor.t_), np.asarray(monitor.g_ampa_[0])
    return float(g[t < 0.05].max()), float(g[t >= 0.05].max())


def test_release_scales_the_evoked_conductance_and_follows_the_concentration(tmp_path):
    """0 nM for 50 ms, then 3000 nM: the first EPSC peaks at its weight (release 1), the second
    at the curve's factor at 3000 nM times that."""
    allo = np.array([[0.0], [3000.0]])
    profile = ReleaseProfile(0.4, 1000.0, 1.0, "")
    first, second = _epsc_peaks(_network_with_excitation(tmp_path), {"excitation": profile}, allo)
    # 2.5 % above the weight: exponential Euler's error on the AMPA rise at dt / tau_rise = 0.05
    assert first == pytest.approx(1e-9, rel=0.03)
    assert second / first == pytest.approx(release_factor(3000.0, profile), rel=1e-3)


def test_spec_checks_and_structure(tmp_path):
    """Off: no structure entry and no curve. On: the curve's constants are structure; a GABA-A
    or unknown projection is refused with its field and the allowed names."""
    off = load_experiment(FEAR)
    assert drug_structure(off.experiment.drugs) == {} and release_curves(off.experiment.drugs) == {}
    on = load_experiment(FEAR, ["drugs.presynaptic_release={projections: [IL_BAext, IL_ITCv]}"])
    curves = release_curves(on.experiment.drugs)
    assert sorted(curves) == ["IL_BAext", "IL_ITCv"]
    assert curves["IL_ITCv"].ec50_nM == PRESYNAPTIC_RELEASE.ec50_nM
    assert drug_structure(on.experiment.drugs)["presynaptic_release"]["projections"] == [
        "IL_BAext", "IL_ITCv"]
    for bad in ("ITCv_CeM", "nowhere"):
        with pytest.raises(SpecError, match="not an excitatory projection") as error:
            load_experiment(FEAR, [f"drugs.presynaptic_release={{projections: [{bad}]}}"])
        assert "drugs.presynaptic_release.projections.0" in str(error.value)
    out = tmp_path / "x.h5"
    assert run_cli("run", FEAR, "--set", "drugs.presynaptic_release={projections: [x]}",
                   "-o", out, "-q") == 2
    assert not out.exists()


def test_description_names_the_modulated_projections():
    """``allonet describe`` shows the release section (projections, region, code) only when on."""
    from allonet.describe import describe

    assert "Presynaptic release" not in describe(load_experiment(FEAR))
    text = describe(load_experiment(FEAR, ["drugs.presynaptic_release={projections: [IL_ITCv]}"]))
    section = text[text.index("## Presynaptic release"):]
    assert "| `IL_ITCv` | IL | ITCv | amygdala |" in section
    assert "release = allo_conc(t, region_id)" in section
