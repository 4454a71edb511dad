"""Population rhythms from spike trains: rate spectra and band power (e.g. BLA theta, 6-12 Hz).

Times in seconds, frequencies in Hz. The population rate is the spike count of all neurons in
``bin_s`` bins divided by (n x bin); its spectrum is Welch's average of Hann-windowed periodograms
(SciPy), so that band powers from runs of different length compare.
"""

from __future__ import annotations

import numpy as np

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
    # imported here: scipy.signal takes ~0.9 s to import, and most runs have no LFP
    from scipy.signal import welch

    return welch(rate - rate.mean(), fs=1.0 / bin_s, nperseg=per_segment)


def band_power(freqs: np.ndarray, psd: np.ndarray, band: tuple[float, float]) -> float:
    """Power (signal units squared) in ``band`` (Hz, ends included): the PSD summed times the
    frequency step, i.e. the part of the signal's variance in that band."""
    inside = (freqs >= band[0]) & (freqs <= band[1])
    step = float(freqs[1] - freqs[0]) if len(freqs) > 1 else 0.0
    return float(psd[inside].sum() * step)


def spectral_peak(freqs: np.ndarray, psd: np.ndarray, total: tuple[float, float]) -> float:
    """Frequency (Hz) of the largest PSD value within ``total``; NaN for a flat zero spectrum."""
    inside = (freqs >= total[0]) & (freqs <= total[1])
    if not inside.any() or not psd[inside].any():
        return float("nan")
    return float(freqs[inside][np.argmax(psd[inside])])


def band_powers(signal: np.ndarray, dt: float, bands: dict[str, tuple[float, float]],
                total: tuple[float, float] = (1.0, 100.0), segment_s: float = 1.0
                ) -> tuple[dict[str, tuple[float, float]], float]:
    """Per band of ``bands`` (Hz): (power, fraction of the power in ``total``) of a signal
    sampled every ``dt`` seconds (a population rate or an LFP proxy), and its spectral peak (Hz)
    in ``total``. A constant signal has power 0, fraction 0 and peak NaN."""
    freqs, psd = rate_spectrum(np.asarray(signal, dtype=float), dt, segment_s)
    denominator = band_power(freqs, psd, total)
    out = {}
    for name, band in bands.items():
        power = band_power(freqs, psd, band)
        out[name] = (power, power / denominator if denominator > 0 else 0.0)
    return out, spectral_peak(freqs, psd, total)


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
    powers, _ = band_powers(rate, bin_s, {"band": band}, total, segment_s)
    return powers["band"][1]
