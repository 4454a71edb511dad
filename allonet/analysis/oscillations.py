"""Population rhythms from spike trains: rate spectra and band power (e.g. BLA theta, 6-12 Hz).

Times in seconds, frequencies in Hz. The population rate is the spike count of all neurons in
``bin_s`` bins divided by (n x bin); its spectrum is Welch's average of Hann-windowed periodograms
(SciPy), so that band powers from runs of different length compare.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import welch

#: Antonoudiou et al. 2022 (Biol Psychiatry 91:283): ALLO raises BLA 6-12 Hz theta via delta-GABA-A
THETA_BAND_HZ = (6.0, 12.0)


def population_rate(times: np.ndarray, n: int, start: float, stop: float,
                    bin_s: float = 1e-3) -> np.ndarray:
    """Population rate (Hz per neuron) of ``n`` neurons in ``bin_s`` bins over [start, stop)."""
    if n <= 0 or stop <= start:
        raise ValueError(f"need n > 0 and stop > start (n={n}, start={start}, stop={stop})")
    edges = start + bin_s * np.arange(int(round((stop - start) / bin_s)) + 1)
    counts, _ = np.histogram(times, edges)
    return counts / (n * bin_s)


def rate_spectrum(rate: np.ndarray, bin_s: float = 1e-3, segment_s: float = 1.0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and power spectral density (Hz^2/Hz) of a population rate; the mean is
    removed and segments are ``segment_s`` long (at most the whole signal)."""
    per_segment = min(len(rate), int(round(segment_s / bin_s)))
    return welch(rate - rate.mean(), fs=1.0 / bin_s, nperseg=per_segment)


def band_fraction(times: np.ndarray, n: int, start: float, stop: float,
                  band: tuple[float, float] = THETA_BAND_HZ,
                  total: tuple[float, float] = (1.0, 100.0), bin_s: float = 1e-3,
                  segment_s: float = 1.0) -> float:
    """Fraction (1) of the population rate's power in ``total`` that lies in ``band`` (Hz).

    0 for a silent population. Needs a window of at least one segment for a 1 Hz resolution.
    """
    rate = population_rate(times, n, start, stop, bin_s)
    if not rate.any():
        return 0.0
    freqs, psd = rate_spectrum(rate, bin_s, segment_s)
    in_total = (freqs >= total[0]) & (freqs <= total[1])
    in_band = (freqs >= band[0]) & (freqs <= band[1])
    denominator = psd[in_total].sum()
    return float(psd[in_band].sum() / denominator) if denominator > 0 else 0.0
