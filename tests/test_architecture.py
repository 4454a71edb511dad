"""The package's layering rules (docs/architecture.md), read from the source with ``ast``: no
import circle, the spec floor imports nothing from model/ or engine/, only the run-file module
opens HDF5 files, and the drug-generic code names no drug."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "allonet"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
#: Modules that handle drugs only through the registry (allonet.pharmacology.DRUGS).
DRUG_GENERIC = ["engine/__init__.py", "engine/job.py", "engine/devices.py",
                "engine/cached_binary.py", "model/equations.py", "model/builder.py",
                "protocols/drugs.py", "protocols/recording.py", "protocols/background.py",
                "protocols/fear_conditioning.py", "export/common.py", "export/nwb.py",
                "export/neo.py", "describe.py"]
_DRUG_NAME = re.compile(r"\b(allo|bz)(_|\b)|benzodiazepine|diazepam", re.IGNORECASE)
#: ALLO's own science, which a new drug leaves alone: the stress readout of the ALLO surge that
#: synthesis makes, and the populations' ALLO profile (a network field) in the description.
_ALLOWED = {"protocols/fear_conditioning.py": {"allo_peak", "allo_peaks"},
            "describe.py": {"ALLO profile", "allo_profile"}}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


_KNOWN = {_module(p) for p in SOURCES}


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """allonet modules imported by ``path`` (``from x import y`` counts ``x.y`` when that is a
    module); ``top_level_only``: only imports run when the module itself is imported."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` depends on the module, not on the package
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in _KNOWN
                      else node.module for a in node.names}
    return found & _KNOWN


def test_no_import_circle():
    graph = {_module(p): _imports(p, top_level_only=True) for p in SOURCES}
    # a package's __init__ importing its own modules is not a circle
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                pytest.fail("import circle: " + " -> ".join(path[path.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, path + [dep])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_spec_imports_nothing_from_model_or_engine():
    for path in sorted((PACKAGE / "spec").glob("*.py")):
        bad = {m for m in _imports(path, top_level_only=False)
               if m.startswith(("allonet.model", "allonet.engine"))}
        assert not bad, (path.name, bad)


def test_only_the_run_file_module_opens_hdf5_files():
    openers = {p.relative_to(PACKAGE).as_posix() for p in SOURCES
               if re.search(r"h5py\.File\(", p.read_text())}
    assert openers <= {"store.py"} | {p for p in openers if p.startswith("export/")}, openers


def _names_and_strings(path: Path) -> list[str]:
    """Identifiers and string constants of ``path``, docstrings and comments left out."""
    tree = ast.parse(path.read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and n.body and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.append(node.id)
        elif isinstance(node, ast.Attribute):
            out.append(node.attr)
        elif isinstance(node, ast.arg | ast.FunctionDef | ast.ClassDef):
            out.append(node.arg if isinstance(node, ast.arg) else node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            out.append(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            out.append(node.value)
    return out


@pytest.mark.parametrize("module", DRUG_GENERIC)
def test_drug_generic_code_names_no_drug(module):
    """Adding a drug edits the registry and the spec only (acceptance 3 of issue 16)."""
    named = sorted({text for text in _names_and_strings(PACKAGE / module)
                    if _DRUG_NAME.search(text)} - _ALLOWED.get(module, set()))
    assert named == [], named


def test_every_protocol_module_has_the_protocol_interface():
    """A protocol kind is its module (and its spec class): runner and memory estimate call these
    functions with no per-kind branches."""
    from allonet.protocols import PROTOCOLS

    for kind, module in PROTOCOLS.items():
        for name in ("run", "simulated_network", "recorded_size"):
            assert callable(getattr(module, name, None)), (kind, name)
