"""Neuron and synapse models (Brian2 equations) and the network builder."""

from allonet.model.builder import Model, build_model

__all__ = ["Model", "build_model"]
