"""Fear behaviour at the data's magnitudes (issue 17; science.md section 4), on the three-day
main experiment and the contextual-fear experiment, 10 seeds each.

Freezing is the CeM read-out of ``protocol.freezing``. Targets: Corcoran & Maren 2001 (J Neurosci
21:1720): extinction recall in B ~20-30 %, ABA renewal ~60-70 %, non-extinguished ~65-75 %;
Bouton 2004 (Learn Mem 11:485): ABA >= ABC > B. Runs come from the shared ``fear_runs`` fixture.
"""

from __future__ import annotations

import numpy as np
import pytest

from allonet.analysis.fear import window_rate

pytestmark = pytest.mark.science


def per_seed_freezing(runs, phase: str, cs: int = 1) -> np.ndarray:
    """Each run's mean freezing over the windows of ``phase`` (``cs`` 1: CS windows, 0: windows
    of the context alone)."""
    out = []
    for r in runs:
        t = r.table("readouts/freezing")
        rows = (t["phase"] == phase) & (t["cs"] == cs)
        out.append(float(t["freezing"][rows].mean()))
    return np.array(out)


def freezing(runs, phase: str, cs: int = 1) -> float:
    return float(per_seed_freezing(runs, phase, cs).mean())


def pre_cs(runs, phase: str, column: str = "freezing") -> np.ndarray:
    """Each run's ``readouts/context_freezing`` ``column`` (freezing, or CeM rate in Hz) for the
    context alone before the first CS of ``phase``."""
    out = []
    for r in runs:
        t = r.table("readouts/context_freezing")
        out.append(float(t[column][t["phase"] == phase][0]))
    return np.array(out)


def trial_freezing(runs, phase: str) -> np.ndarray:
    """Freezing per seed (rows) and CS trial (columns) of ``phase``."""
    rows = []
    for r in runs:
        t = r.table("readouts/freezing")
        rows.append(t["freezing"][(t["phase"] == phase) & (t["cs"] == 1)])
    return np.array(rows)


def test_extinction_recall_and_renewal_have_the_datas_size(fear_runs):
    """Acceptance 1: B 0.15-0.35; ABA >= 2x B and >= 0.6x recall; B < ABC <= ABA."""
    runs = fear_runs["base"]
    recall, b, a, c = (freezing(runs, p) for p in ("recall", "test_B", "test_A", "test_C"))
    assert 0.15 <= b <= 0.35, (b, recall)
    assert a >= 2 * b and a >= 0.6 * recall, (a, b, recall)
    assert b < c <= a, (b, c, a)


def test_renewal_needs_the_hippocampus(fear_runs):
    """Acceptance 2, first half (Corcoran & Maren 2001, dorsal hippocampal muscimol before the
    test): with CA1 silenced in every test, ABA freezing is at most 1.2x B freezing."""
    runs = fear_runs["ca1_off"]
    a, b = freezing(runs, "test_A"), freezing(runs, "test_B")
    assert a <= 1.2 * b, (a, b)


def test_nonextinguished_fear_does_not_need_the_hippocampus(fear_runs):
    """Acceptance 2, second half: non-extinguished animals (day 1 in B without CS) with CA1
    silenced at test keep their ABA freezing within 15 %. Not tuned to: the freezing curve is
    fitted to CM01's B, ABA and non-extinguished levels. CeM's CS rate itself falls by about a
    fifth (the context's part through CeL); the curve's compression near its ceiling keeps the
    freezing (docs/studies.md, behaviour)."""
    intact = freezing(fear_runs["no_ext"], "test_A")
    silenced = freezing(fear_runs["no_ext_ca1_off"], "test_A")
    assert abs(silenced - intact) <= 0.15 * intact, (silenced, intact)


def test_conditioned_fear_transfers_to_other_contexts(fear_runs):
    """Conditioning is context-general, extinction context-specific (Bouton 2004, Learn Mem
    11:485): in animals conditioned in A and never extinguished, the CS evokes about as much
    freezing in B, the later extinction context, as in a novel context C (>= 0.75x; 0.69x
    before session 9, when context B itself inhibited CeM), and the first two extinction CSs in
    B evoke >= 0.8x that non-extinguished level: extinction starts from full cued fear."""
    runs = fear_runs["no_ext"]
    b, c = freezing(runs, "test_B"), freezing(runs, "test_C")
    assert b >= 0.75 * c, (b, c)
    first = trial_freezing(fear_runs["base"], "extinction")[:, :2].mean()
    assert first >= 0.8 * b, (first, b)


def test_contextual_fear_needs_the_hippocampus(fear_runs):
    """Contextual, not cued, fear depends on the hippocampus (Kim & Fanselow 1992, Science
    256:675; Phillips & LeDoux 1992, Behav Neurosci 106:274): in non-extinguished animals,
    freezing to context A alone before the first test CS is lower with CA1 silenced in >= 8/10
    seeds, down to the novel-context level."""
    intact = pre_cs(fear_runs["no_ext"], "test_A")
    silenced = pre_cs(fear_runs["no_ext_ca1_off"], "test_A")
    novel = pre_cs(fear_runs["no_ext"], "test_C")
    assert np.sum(silenced < intact) >= 8, (intact, silenced)
    assert silenced.mean() <= novel.mean() + 0.01, (silenced, novel)


def test_freezing_falls_within_the_extinction_session(fear_runs):
    """Within-session extinction: freezing to the last two extinction CSs is below that to the
    first two in >= 8/10 seeds, a large paired effect (d_z >= 1.5).

    Until session 12 the second clause was "at most half on average", a threshold with no source
    that sat on the model's own mean: over 60 seeds each, last/first is 0.46 on the session-11
    random streams and 0.53 on the current ones (both 60/60 seeds falling, d_z 2.9 and 2.6), so
    a 10-seed mean passed or failed by the stream. docs/studies.md gives the numbers."""
    trials = trial_freezing(fear_runs["base"], "extinction")
    first, last = trials[:, :2].mean(axis=1), trials[:, -2:].mean(axis=1)
    assert np.sum(last < first) >= 8, (first, last)
    decline = first - last
    assert decline.mean() >= 1.5 * decline.std(ddof=1), (first, last)


def test_extinction_is_not_erasure(fear_runs):
    """Extinguished animals renew most of the fear that non-extinguished animals show in A
    (Corcoran & Maren 2001: ABA ~60-70 % vs ~65-75 %), paired over seeds."""
    extinguished = per_seed_freezing(fear_runs["base"], "test_A")
    control = per_seed_freezing(fear_runs["no_ext"], "test_A")
    assert extinguished.mean() >= 0.7 * control.mean(), (extinguished, control)
    b_ext = per_seed_freezing(fear_runs["base"], "test_B")
    b_ctrl = per_seed_freezing(fear_runs["no_ext"], "test_B")
    assert np.sum(b_ext < b_ctrl) >= 8, (b_ext, b_ctrl)


def test_contextual_fear_is_specific_and_extinguishes(fear_runs):
    """Acceptance 3: freezing to context A alone after conditioning exceeds that to the novel
    context C in >= 8/10 seeds, and falls after context extinction (repeated A without CS or
    US) in >= 8/10 seeds."""
    runs = fear_runs["context"]
    a = per_seed_freezing(runs, "context_A", cs=0)
    c = per_seed_freezing(runs, "context_C", cs=0)
    after = per_seed_freezing(runs, "context_A_after", cs=0)
    assert np.sum(a > c) >= 8, (a, c)
    assert np.sum(after < a) >= 8, (a, after)


def test_contextual_freezing_rises_with_conditioning(fear_runs):
    """The pre-CS context window of the recall test (context A after conditioning) carries more
    CeM firing than the same window of habituation, in >= 8/10 seeds."""
    runs = fear_runs["base"]
    before, after = pre_cs(runs, "habituation", "rate"), pre_cs(runs, "recall", "rate")
    assert np.sum(after > before) >= 8, (before, after)


def test_three_days_on_one_binary_with_per_session_drugs(fear_runs):
    """Acceptance 4: the main experiment's sessions lie on days 0, 1 and 2 of the biological
    clock; a drug given on day 1 only is in ``/allo`` on day 1 and absent on days 0 and 2; its
    run shares the binary; the sessions table reports each session's ALLO."""
    base, drug = fear_runs["base"][0], fear_runs["day1_allo"][0]
    assert list(base.data["sessions/name"]) == ["day0", "day1", "day2"]
    assert np.allclose(base.data["sessions/bio_start"], [0.0, 24.0, 48.0], atol=0.01)
    conc, t_bio = drug.data["allo/amygdala/concentration"], drug.data["allo/amygdala/t_bio"]
    day = np.round(t_bio / 24.0).astype(int)  # each sample lies within minutes of its session
    assert np.allclose(conc[day == 1], 300.0), conc[day == 1]
    assert np.allclose(conc[day != 1], 10.0)
    assert np.allclose(drug.data["allo/hippocampus/concentration"], 10.0)
    table = drug.table("readouts/sessions")
    amygdala = {s: m for s, m, reg in zip(table["session"], table["allo_mean"], table["region"],
                                          strict=True) if reg == "amygdala"}
    assert amygdala == pytest.approx({"day0": 10.0, "day1": 300.0, "day2": 10.0})
    assert drug.attrs["build"]["structure_hash"] == base.attrs["build"]["structure_hash"]
    # the drug on day 1 changes extinction, and the day-0 spikes not at all
    stop = float(base.data["sessions/stop"][0])
    day0, day1 = ({name: window_rate(r.data["spikes/BA/timestamps"], r.data["spikes/BA/node_ids"],
                                     start, end, 0, 400) for name, r in (("base", base),
                                                                        ("drug", drug))}
                  for start, end in ((0.0, stop), (stop, float(base.data["sessions/stop"][1]))))
    assert day0["base"] == day0["drug"], day0
    assert day1["base"] != day1["drug"], day1
