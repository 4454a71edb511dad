"""Write ``allonet/unit_table.json``: every unit name of Brian2's namespace that a spec may write
(letters only), with its value in SI units and its dimension, plus allonet's clock units.

allonet parses spec quantities from this table, so loading specs and running a cached binary do
not import Brian2; ``tests/test_units.py`` checks the table against the installed Brian2:

    python tools/unit_table.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "allonet" / "unit_table.json"


def brian2_units() -> dict[str, list]:
    """``{name: [SI value, [7 dimension exponents (m, kg, s, A, K, mol, cd)]]}`` of every
    letters-only unit name Brian2's namespace has, and of min, h, day and d."""
    import numpy as np
    from brian2 import second
    from brian2.core.namespace import DEFAULT_UNITS
    from brian2.units import allunits
    from brian2.units.fundamentalunits import Unit, get_dimensions

    named = {k: v for k, v in vars(allunits).items() if isinstance(v, Unit)} | DEFAULT_UNITS
    units = {unit.dispname: unit for unit in named.values()} | named
    units |= {"min": 60 * second, "h": 3600 * second, "day": 86400 * second,
              "d": 86400 * second}
    out = {}
    for name, unit in sorted(units.items()):
        if re.fullmatch("[A-Za-z]+", name):
            dims = get_dimensions(unit)
            exponents = [float(x) for x in getattr(dims, "_dims", [0.0] * 7)]
            out[name] = [float(np.asarray(unit)), exponents]
    return out


if __name__ == "__main__":
    TABLE.write_text(json.dumps(brian2_units(), separators=(",", ":")) + "\n")
    print(f"wrote {TABLE}", file=sys.stderr)
