"""Neuron and synapse models (Brian2 equations) and the network builder.

``Model`` and ``build_model`` are imported on first use: the builder imports Brian2 (1.7 s), which
a run of a cached binary does not need.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allonet.cache import source_digest

if TYPE_CHECKING:
    from allonet.model.builder import Model, build_model

__all__ = ["Model", "build_model"]


@functools.cache
def code_digest() -> str:
    """Digest of what generates a model's code: this package's modules and Brian2 templates.
    Part of every structure hash, so that a binary compiled from other code is never reused."""
    return source_digest(Path(__file__).parent, ["*.py", "templates/*.cpp"])[:16]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from allonet.model import builder

        return getattr(builder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
