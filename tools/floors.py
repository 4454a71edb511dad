"""Pip constraints pinning every dependency of allonet to its lowest allowed version.

The floors are read from pyproject.toml (the ``>=`` bound of each requirement whose environment
marker holds for the Python version asked for), so they are written in one place only:

    python tools/floors.py 3.12 > /tmp/floors.txt
    python3.12 -m pip install --dry-run -e . -c /tmp/floors.txt

``tests/test_packaging.py`` resolves exactly that on Python 3.12.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def floor_constraints(python: str, extras: Iterable[str] = (),
                      pyproject: Path = PYPROJECT) -> list[str]:
    """``name==floor`` for every requirement of the project (and of ``extras``) that applies
    on Python ``python`` (``"3.12"``) and has a ``>=`` bound."""
    project = tomllib.loads(pyproject.read_text())["project"]
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    pins: dict[str, str] = {}
    for requirement in map(Requirement, texts):
        if requirement.name == project["name"]:
            continue  # the project's own extras, listed by name
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        for spec in requirement.specifier:
            if spec.operator == ">=":
                pins[requirement.name] = spec.version
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        print("usage: python tools/floors.py PYTHON_VERSION [EXTRA ...]", file=sys.stderr)
        return 2
    print("\n".join(floor_constraints(argv[0], argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
