"""Model descriptions for papers: every parameter of a spec with its value and its source.

Sources are the YAML comments of the spec files (``tau0: 7 ms  # Feng et al. 2019``): a value
without its own comment takes the comment of the nearest enclosing key. :func:`missing_sources`
lists the numbers that have none, so a test can insist that every number is sourced.
The Markdown follows the table layout of Nordlie, Gewaltig & Plesser 2009 (PLoS Comput Biol
5:e1000456): summary, populations, connectivity, neuron and synapse models, inputs, parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from allonet.model import equations as eq
from allonet.model.neurons import NEURON_MODELS, membrane_equations
from allonet.model.synapses import SYNAPSE_MODELS
from allonet.pharmacology import DRUGS
from allonet.pharmacology import receptor_plasticity as rp
from allonet.pharmacology.drugs import release_drug
from allonet.resources import RATE_GUESS_HZ, Estimate, estimate, format_bytes
from allonet.spec import ResolvedSpecs
from allonet.units import UnitParseError, parse_quantity

# Keys whose values are names or prose, never parameters needing a source.
_NOT_PARAMETERS = {"name", "description", "kind", "network", "model", "method", "region",
                   "regions", "source", "target", "synapse", "input", "connect", "profiles",
                   "allo_profile", "profile", "device", "gamma2"} | {
                      d.profile_field for d in DRUGS.values() if d.profile_field}


@dataclass(frozen=True)
class Parameter:
    """One value of a spec file: dotted path, the text as written, and its source comment."""

    path: str
    value: str
    source: str | None


def parameters(path: str | Path) -> list[Parameter]:
    """Every numeric or dimensioned value in a spec file, with its source comment (or None)."""
    data = YAML().load(Path(path).read_text())
    found: list[Parameter] = []
    _walk(data, "", None, found, {})
    # Top-level keys starting with "_" only define YAML anchors; their values appear (with the
    # anchor's source) where they are used.
    return [p for p in found if not p.path.startswith("_")]


def missing_sources(path: str | Path) -> list[str]:
    """Dotted paths of the numbers in ``path`` that carry no source comment."""
    return [p.path for p in parameters(path) if not p.source]


def _walk(node: Any, prefix: str, inherited: str | None, found: list[Parameter],
          anchors: dict[int, str | None]) -> None:
    """Collect parameters under ``node``; ``anchors`` remembers the source of anchored nodes
    (by identity: an alias is the same object), so aliases inherit their anchor's source."""
    if isinstance(node, CommentedMap | CommentedSeq):
        inherited = inherited or anchors.get(id(node))
        if getattr(node, "anchor", None) is not None and node.anchor.value:
            anchors.setdefault(id(node), inherited)
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key in _NOT_PARAMETERS:
                continue
            comment = _comment(node, key) or inherited
            path = f"{prefix}.{key}" if prefix else str(key)
            _walk(value, path, comment, found, anchors)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            comment = _comment(node, index) or inherited
            _walk(value, f"{prefix}.{index}", comment, found, anchors)
    elif _is_parameter(node):
        found.append(Parameter(prefix, str(node), inherited))


def _comment(container: CommentedMap | CommentedSeq, key: Any) -> str | None:
    tokens = container.ca.items.get(key)
    if not tokens:
        return None
    flat = [t for item in tokens for t in (item if isinstance(item, list) else [item])]
    texts = [t.value for t in flat if t is not None and hasattr(t, "value")]
    lines = [line.strip().lstrip("#").strip() for text in texts for line in text.splitlines()]
    text = " ".join(line for line in lines if line)
    return text or None


def _is_parameter(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            parse_quantity(value)
        except UnitParseError:
            return False
        return True
    return False


def _plasticity(specs: ResolvedSpecs) -> list[str]:
    """Plasticity section: the coincidence rule's state and synaptic code per plastic input."""
    net = specs.network
    plastic = {k: p for k, p in net.projections.items() if p.plastic}
    if not plastic:
        return []
    lines = ["## Plasticity", "", "CS x context coincidence rule (Vlachos et al. 2011) on the "
             "inputs below; constants per population under `populations.<name>.coincidence`.",
             "", "```", eq.coincidence_equations().strip()]
    for name, proj in plastic.items():
        lines += ["", f"# {name}: {proj.source} -> {proj.target} ({proj.plastic} input), on_pre",
                  eq.rule_on_pre(proj.plastic, proj.synapse,
                                 net.populations[proj.target].coincidence)]
    return [*lines, "```", ""]


def describe(specs: ResolvedSpecs) -> str:
    """Markdown description of an experiment's network and protocol, parameters with sources."""
    net = specs.network
    lines = [f"# Model description: {net.name}", "", net.description.strip(), ""]
    lines += _table(["Summary", ""], [
        ["Populations", ", ".join(f"{k} ({v.n} x {v.model.upper()})"
                                  for k, v in net.populations.items())],
        ["Inputs", ", ".join(f"{k} ({v.kind}, n={v.n})" for k, v in net.inputs.items()) or "none"],
        ["Regions (drug compartments)", ", ".join(net.regions)],
        ["Synapse types", ", ".join(f"{k} ({v.kind})" for k, v in net.synapses.items())],
        ["Integration", f"{net.integration.method}, dt = {net.integration.dt}"],
        ["Protocol", specs.experiment.protocol.kind if specs.experiment else "-"],
    ])
    lines += ["", "## Populations", ""]
    lines += _table(["Name", "Size", "Model", "Region", "ALLO profile", "Tonic g0", "Clamp"], [
        [k, str(p.n), p.model, p.region, p.allo_profile, p.tonic.g0, p.clamp or "-"]
        for k, p in net.populations.items()])
    size = estimate(net, specs.experiment)
    lines += ["", "## Connectivity", ""]
    lines += _table(["Name", "Source", "Target", "Synapse", "Rule", "p", "Weight", "Delay",
                     "Synapses (expected)"], [
        [k, c.source, c.target, c.synapse, c.connect, f"{c.p:g}", c.weight, c.delay,
         f"{size.synapses_by_projection[k]:,}"] for k, c in net.projections.items()])
    lines += ["", *_resources(size, recorded=specs.experiment is not None)]
    lines += ["", *_drugs()]
    lines += ["", "## Neuron and synapse equations (Brian2)", "", "```"]
    for model in dict.fromkeys(p.model for p in net.populations.values()):
        entry = NEURON_MODELS[model]
        lines += [f"# neuron model {model}: {entry.description}",
                  membrane_equations(model, clamped=False).strip(),
                  f"threshold: {entry.threshold}", "reset: " + entry.reset.replace("\n", "; "),
                  ""]
    lines.append(eq.drug_equations().strip())
    for name, syn in net.synapses.items():
        lines += ["", f"# synapse type {name} ({syn.kind})",
                  SYNAPSE_MODELS[syn.kind].equations(name, False).strip()]
    receptor = specs.experiment.drugs.receptor_plasticity if specs.experiment else None
    plastic = bool(receptor and receptor.enabled)
    lines += ["", "# drug update, per concentration sample", eq.drug_update_code({
        n: s.gamma2 for n, s in net.synapses.items() if SYNAPSE_MODELS[s.kind].drug_scaled},
        plasticity=plastic), "```", ""]
    lines += _receptor_plasticity(receptor.plasticity_constants()) if plastic else []
    release = specs.experiment.drugs.presynaptic_release if specs.experiment else None
    lines += _presynaptic_release(release, net) if release else []
    lines += _plasticity(specs)
    files = [("Network parameters", specs.network_path)]
    if specs.experiment_path:
        files.append(("Experiment parameters", specs.experiment_path))
    for title, path in files:
        lines += [f"## {title} ({Path(path).name})", ""]
        lines += _table(["Parameter", "Value", "Source"], [
            [f"`{p.path}`", p.value, p.source or "**MISSING**"] for p in parameters(path)])
        lines.append("")
    return "\n".join(lines)


def _drugs() -> list[str]:
    """Drugs section: every registered drug (:data:`allonet.pharmacology.DRUGS`), the experiment
    field that sets it and the receptor property each of its effects scales."""
    rows = [[drug.name, f"`drugs.{drug.spec_field}`", ", ".join(
        f"{e.target} ({e.receptors}{'' if e.variable is None else ': ' + e.variable})"
        for e in drug.effects)] for drug in DRUGS.values()]
    return ["## Drugs", "", *_table(["Drug", "Concentrations (nM per region)",
                                     "Effects (receptors: factor)"], rows)]


def _receptor_plasticity(constants: rp.PlasticityConstants) -> list[str]:
    """Receptor-plasticity section (:mod:`allonet.pharmacology.receptor_plasticity`): the
    experiment's constants with the sources of the module's estimates (a value the experiment
    replaced says so)."""
    rows = [[f"`{name}`", f"{getattr(constants, name):g}",
             source if getattr(constants, name) == getattr(rp.DEFAULT, name)
             else "experiment (`drugs.receptor_plasticity.constants`)"]
            for name, source in rp.SOURCES.items()]
    return ["## Receptor plasticity (δ expression, α4 fraction)", "",
            *_table(["Constant", "Value", "Source"], rows), ""]


def _presynaptic_release(release: Any, net: Any) -> list[str]:
    """Presynaptic-release section: the modulated projections, the region whose concentration
    each reads (its target's), the curve and its update code."""
    curve, drug = release.profile(), release_drug().label
    rows = [[f"`{name}`", net.projections[name].source, net.projections[name].target,
             net.populations[net.projections[name].target].region] for name in release.projections]
    return [f"## Presynaptic release ({drug} lowers evoked glutamate release)", "",
            f"Each spike delivers weight x release, release = hill_factor({drug} of the target's "
            f"region, emax {curve.emax:g}, EC50 {curve.ec50_nM:g} nM, n {curve.hill:g}) "
            f"({curve.source}).", "",
            *_table(["Projection", "Source", "Target", f"{drug} of region"], rows), "",
            "```", eq.release_update_code("region_id"), "```", ""]


def _resources(size: Estimate, recorded: bool) -> list[str]:
    """Estimated-size section (:mod:`allonet.resources`): what ``allonet run`` checks against
    the memory available before building."""
    rows = [["Neurons", f"{size.neurons:,}"], ["Input cells", f"{size.input_cells:,}"],
            ["Synapses (expected)", f"{size.synapses:,}"]]
    if recorded:
        rows += [["Simulated time", f"{size.simulated_s:g} s"],
                 [f"Recorded spikes (at a guessed {RATE_GUESS_HZ:g} Hz)",
                  f"~{size.recorded_spikes:,}"],
                 ["Recorded state values", f"{size.recorded_samples:,}"]]
    rows.append(["Memory (estimate)", format_bytes(size.memory_bytes)])
    return ["## Estimated resources", "", *_table(["Quantity", "Value"], rows)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out
