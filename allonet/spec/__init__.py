"""Specs: strict, unit-checked data models for networks and experiments, and their loading."""

from allonet.spec.experiment import ExperimentSpec, concentration_at_hours
from allonet.spec.loading import ResolvedSpecs, load_experiment, load_network, read_yaml
from allonet.spec.network import NetworkSpec

__all__ = [
    "ExperimentSpec", "NetworkSpec", "ResolvedSpecs", "concentration_at_hours", "load_experiment",
    "load_network", "read_yaml",
]
