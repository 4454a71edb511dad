"""The result criteria of Vlachos et al. 2011 (science.md section 3), written once.

Both the reproduction of the original model (``test_vlachos2011.py``) and the amygdala-hippocampus
circuit (``test_fear_extinction.py``) assert them on their own runs. Every argument is a CS-window
rate (Hz) of the fear or extinction group, averaged over seeds: an array per trial of a phase, or
one number for a test phase.
"""

from __future__ import annotations

import numpy as np

from allonet.analysis.fear import fear_ratio


def assert_conditioning(fear: np.ndarray, extinction: np.ndarray) -> None:
    """Result 2: conditioning recruits the fear group (>= 5x its first CS, >= 1.5 Hz at the
    last) and leaves the extinction group silent (< 0.5 Hz at every CS)."""
    assert fear[-1] >= 5 * fear[0] and fear[-1] >= 1.5, fear
    assert np.all(extinction < 0.5), extinction


def assert_extinction(fear_conditioning: np.ndarray, fear: np.ndarray,
                      extinction: np.ndarray) -> None:
    """Result 4: during extinction the extinction group rises (>= 2 Hz and >= 10x its first CS
    at the last), the fear group falls to <= 20% of its last conditioning CS, and the extinction
    group overtakes the fear group by the third extinction CS."""
    assert extinction[-1] >= 2.0 and extinction[-1] >= 10 * extinction[0], extinction
    assert fear[-1] <= 0.2 * fear_conditioning[-1], (fear, fear_conditioning)
    crossing = int(np.argmax(extinction > fear))
    assert extinction[crossing] > fear[crossing] and crossing <= 2, (fear, extinction)


def assert_renewal(fear_extinction: np.ndarray, extinction_extinction: np.ndarray,
                   fear: float, extinction: float) -> None:
    """Result 6: back in the conditioning context the fear group returns (>= 5x its last
    extinction CS), the extinction group falls (<= half its last extinction CS) and the fear
    ratio is at least 0.5."""
    assert fear >= 5 * fear_extinction[-1], (fear, fear_extinction)
    assert extinction <= 0.5 * extinction_extinction[-1], (extinction, extinction_extinction)
    assert fear_ratio(fear, extinction) >= 0.5, (fear, extinction)


def assert_block_releases_extinction_group(baseline: float, half: float) -> None:
    """Result 9: silencing half of the interneurons during extinction raises the extinction
    group's last-CS rate at least 1.5-fold."""
    assert half >= 1.5 * baseline, (baseline, half)


def assert_block_fourfold(baseline: float, most: float) -> None:
    """Result 9: silencing 90% of the interneurons raises it at least 4-fold (V11: 4.3 -> 24.5
    Hz)."""
    assert most >= 4 * baseline, (baseline, most)
