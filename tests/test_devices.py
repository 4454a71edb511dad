"""The device registry: the names specs and ``--device`` accept are its back-ends."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from allonet.engine import DEVICES, Condition, run_conditions
from allonet.spec import ExperimentSpec


def test_spec_devices_are_the_registered_back_ends():
    allowed = typing.get_args(ExperimentSpec.model_fields["device"].annotation)
    assert set(allowed) == set(DEVICES)
    assert all(device.name == name for name, device in DEVICES.items())


def test_unknown_device_names_the_known_ones():
    condition = Condition("c", {"allo": np.zeros((1, 1)), "bz": np.zeros((1, 1))})
    with pytest.raises(ValueError, match="unknown device 'gpu'; known: \\['runtime', 'standalone'"):
        run_conditions("gpu", None, None, [condition], 0.1, 1e-4, 1, {})
