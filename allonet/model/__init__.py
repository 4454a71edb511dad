"""Neuron and synapse models (Brian2 equations) and the network builder.

``Model`` and ``build_model`` are imported on first use: the builder imports Brian2 (1.7 s), which
a run of a cached binary does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allonet.model.builder import Model, build_model

__all__ = ["Model", "build_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from allonet.model import builder

        return getattr(builder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
