"""The shared Vlachos et al. 2011 criteria hold at their thresholds and fail just beyond them."""

from __future__ import annotations

import numpy as np
import pytest

from vlachos_criteria import (
    assert_block_fourfold,
    assert_block_releases_extinction_group,
    assert_conditioning,
    assert_extinction,
    assert_renewal,
)


def test_conditioning_thresholds():
    assert_conditioning(np.array([0.3, 1.5]), np.array([0.0, 0.49]))
    for fear, ext in (([0.31, 1.5], [0.0]), ([0.2, 1.49], [0.0]), ([0.3, 1.5], [0.5])):
        with pytest.raises(AssertionError):
            assert_conditioning(np.array(fear), np.array(ext))


def test_extinction_thresholds():
    fear_cond = np.array([0.1, 5.0])
    assert_extinction(fear_cond, np.array([3.0, 2.0, 1.0, 1.0]), np.array([0.2, 1.0, 2.5, 2.0]))
    cases = [([3.0, 2.0, 1.0, 1.0], [0.2, 1.0, 2.5, 1.99]),   # last extinction CS < 2 Hz
             ([3.0, 2.0, 1.0, 1.0], [0.21, 1.0, 2.5, 2.0]),   # < 10x the first
             ([3.0, 2.0, 1.0, 1.01], [0.2, 1.0, 2.5, 2.0]),   # fear above 20% of conditioning
             ([3.0, 2.0, 2.6, 1.0], [0.2, 1.0, 2.5, 2.0])]    # crossing after the third CS
    for fear, ext in cases:
        with pytest.raises(AssertionError):
            assert_extinction(fear_cond, np.array(fear), np.array(ext))


def test_renewal_thresholds():
    assert_renewal(np.array([0.2]), np.array([4.0]), 1.0, 1.0)
    for fear, ext in ((0.99, 0.5), (1.0, 2.01), (1.0, 1.01)):
        with pytest.raises(AssertionError):
            assert_renewal(np.array([0.2]), np.array([4.0]), fear, ext)


def test_interneuron_block_thresholds():
    assert_block_releases_extinction_group(2.0, 3.0)
    assert_block_fourfold(2.0, 8.0)
    with pytest.raises(AssertionError):
        assert_block_releases_extinction_group(2.0, 2.99)
    with pytest.raises(AssertionError):
        assert_block_fourfold(2.0, 7.99)
