"""Where allonet keeps compiled code: Cython extensions and standalone binaries.

``$ALLONET_CACHE`` if set (the Makefile sets it to ``.cache/allonet`` inside the checkout), else
``~/.cache/allonet``. ``allonet cache`` shows and clears it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from allonet.errors import UserError


def cache_root() -> Path:
    """The cache directory (created on first use); a UserError naming it when it cannot be
    created or written (tried with a nameless temporary file)."""
    root = Path(os.environ.get("ALLONET_CACHE") or Path.home() / ".cache" / "allonet")
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise UserError(f"{root}: the compiled-code cache cannot be written "
                        f"({error.strerror or error}); set ALLONET_CACHE to a writable "
                        f"folder") from None
    return root


def cython_dir() -> Path:
    """Cache of Brian2's Cython extensions (runtime device)."""
    return cache_root() / "cython"


def standalone_dir(structure_hash: str) -> Path:
    """Project directory of the standalone build of one model structure."""
    return cache_root() / "standalone" / structure_hash


def size_bytes(path: Path) -> int:
    """Total size of the files below ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def clear() -> int:
    """Delete the whole cache; returns the bytes freed."""
    root = cache_root()
    freed = size_bytes(root)
    shutil.rmtree(root, ignore_errors=True)
    return freed


def source_digest(root: Path, patterns: Iterable[str]) -> str:
    """SHA-256 (hex) over the files under ``root`` that match glob ``patterns``, each by its
    relative path and bytes, in path order: part of a cache key wherever what is cached depends
    on that source."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in root.glob(pattern)}):
        digest.update(f"{path.relative_to(root)}:".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
