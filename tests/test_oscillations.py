"""Band power of population rates: a known rhythm is found in its band and nowhere else."""

from __future__ import annotations

import numpy as np
import pytest

from allonet.analysis.oscillations import THETA_BAND_HZ, band_fraction, population_rate


def _poisson_population(rate_of_t, n: int, duration: float, seed: int) -> np.ndarray:
    """Spike times (s) of ``n`` inhomogeneous Poisson neurons (rate in Hz), 0.1 ms grid."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, duration, 1e-4)
    spikes = rng.random((n, t.size)) < rate_of_t(t) * 1e-4
    return np.sort(np.broadcast_to(t, spikes.shape)[spikes])


@pytest.mark.parametrize("seed", [1, 2])
def test_theta_modulated_population_has_theta_power(seed):
    theta = _poisson_population(lambda t: 10 * (1 + 0.8 * np.sin(2 * np.pi * 8 * t)), 100, 4.0,
                                seed)
    gamma = _poisson_population(lambda t: 10 * (1 + 0.8 * np.sin(2 * np.pi * 40 * t)), 100, 4.0,
                                seed)
    flat = _poisson_population(lambda t: np.full_like(t, 10.0), 100, 4.0, seed)
    f_theta, f_gamma, f_flat = (band_fraction(s, 100, 0.0, 4.0) for s in (theta, gamma, flat))
    # white noise puts (12 - 6 + 1) / 100 of the 1-100 Hz power in the band
    assert f_flat == pytest.approx(7 / 100, abs=0.04)
    assert f_theta >= 0.5 and f_theta > 5 * f_flat
    assert f_gamma < 2 * f_flat
    assert THETA_BAND_HZ == (6.0, 12.0)


def test_population_rate_units_and_silence():
    rate = population_rate(np.array([0.0105, 0.0106]), n=2, start=0.0, stop=0.02, bin_s=0.01)
    assert rate.tolist() == [0.0, 100.0]  # 2 spikes / (2 neurons x 10 ms)
    assert band_fraction(np.array([]), 10, 0.0, 2.0) == 0.0
    with pytest.raises(ValueError, match="stop > start"):
        population_rate(np.array([]), 1, 1.0, 1.0)
