"""Round-6 red team: a group's total of events (suspensions, exclusions, sessions missed) from 1 to 5.

Each attack is written from the published numbers alone with the textbook formula (Poisson rate ratio:
SE(log RR) = sqrt(1/E1 + 1/E2), Agresti 2013, section 3.3), not the package's code. Data synthetic (seeded).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from cm_research.privacy.audit import audit_table

C = "c"


def totals_from_rate_ratio(row) -> tuple[float, float] | None:
    """The attack: E2 = (1 + n2/(RR n1)) / SE^2 and E1 = RR E2 n1/n2 from a published rate-ratio row."""
    try:
        rr, se, n1, n2 = (float(row[c]) for c in ("estimate", "se", "n_treated", "n_control"))
    except (TypeError, ValueError):
        return None
    if any(math.isnan(v) for v in (rr, se, n1, n2)):
        return None
    e2 = (1 + n2 / (rr * n1)) / se ** 2
    return rr * e2 * n1 / n2, e2


def _suspensions(post_mentored: list[int], seed: int = 6):
    """12 mentored and 12 comparison young people (synthetic), suspensions at baseline and post."""
    rng = np.random.default_rng(seed)
    people = pd.DataFrame({"participant_id": [f"SYN-{g[0].upper()}{i:02d}" for g in ("mentored", "comparison")
                                              for i in range(12)],
                           "group": ["mentored"] * 12 + ["comparison"] * 12})
    values = {"baseline": rng.integers(0, 3, size=24), "post": np.r_[post_mentored, rng.integers(0, 3, size=12)]}
    rows = [{"participant_id": pid, "measure": "suspensions", "timepoint": t, "value": float(values[t][i])}
            for t in ("baseline", "post") for i, pid in enumerate(people["participant_id"])]
    return people, pd.DataFrame(rows)


def test_a_rate_ratio_with_its_se_gives_back_a_small_total_and_the_published_run_withholds_it(tmp_path):
    from cm_research.report.outcomes import outcome_analysis
    from cm_research.stats.outcomes import compare_outcomes

    post = [1, 1, 1] + [0] * 9  # three of the twelve mentored were suspended once after: a total of 3
    people, outcomes = _suspensions(post)
    comparison_post = int(outcomes[(outcomes["timepoint"] == "post")]["value"].iloc[12:].sum())
    raw = compare_outcomes(outcomes, people, ["suspensions"]).iloc[0]
    assert raw["effect_size_name"] == "rate_ratio"
    e1, e2 = totals_from_rate_ratio(raw)  # before the fix this row was published as it is
    assert round(e1, 6) == 3 and round(e2, 6) == comparison_post

    evaluation = SimpleNamespace(outcomes=SimpleNamespace(data=outcomes), participants=SimpleNamespace(data=people))
    outcome_analysis(evaluation, tmp_path, measures=["suspensions"], n_boot=50, small_count_threshold=5)
    published = pd.read_csv(tmp_path / "comparisons.csv")
    row = published.iloc[0]
    assert totals_from_rate_ratio(row) is None and row["favours"] == "withheld"
    assert "total of events" in row["note"]
    sizes = pd.read_csv(tmp_path / "effect_sizes.csv")
    assert sizes.empty or sizes["estimate"].isna().all()
    change = pd.read_csv(tmp_path / "change_within_mentored.csv")  # mean change x pairs = post - baseline total
    assert change["estimate"].isna().all()
    assert not (tmp_path / "suspensions_data.csv").exists()  # no group means (mean x n = 3)
    assert [f for f in audit_table(tmp_path / "comparisons.csv") if f[2] == "event_count"] == []


def test_which_totals_and_numbers_of_children_withhold_a_count_measure():
    from cm_research.privacy.events import event_totals, small_event_measures

    people, outcomes = _suspensions([1, 1, 1, 1, 1, 1] + [0] * 6)
    totals = event_totals(outcomes, people, ["suspensions"])
    mentored_post = totals[(totals["group"] == "mentored") & (totals["timepoint"] == "post")]
    # hand count: six ones and six zeros, in both samples (everyone was measured twice)
    assert mentored_post[["events", "with_event", "young_people"]].drop_duplicates().values.tolist() == [[6, 6, 12]]
    safe = pd.DataFrame({"measure": ["suspensions"] * 2, "events": [6.0, 0.0], "with_event": [6, 0],
                         "young_people": [12, 12]})
    assert small_event_measures(safe) == set()  # 6 events by 6 of 12; and none at all in the other cell
    for events, children in ((5.0, 5), (12.0, 1), (11.0, 7)):  # a total of 5; 12 all one child's; 5 without
        cell = safe.assign(events=[events, 0.0], with_event=[children, 0])
        assert small_event_measures(cell) == {"suspensions"}, (events, children)


def test_the_audit_finds_a_total_from_a_mean_times_n_and_from_a_rate_ratio(tmp_path):
    # a figure's group means: 18 young people, mean 0.2222... -> 4 suspensions; 20 with mean 0.35 -> 7 (safe)
    pd.DataFrame({"group": ["mentored", "comparison"], "timepoint": ["post", "post"], "young_people": [18, 20],
                  "mean": [4 / 18, 0.35], "ci_low": [0.0, 0.1], "ci_high": [0.5, 0.6]}) \
        .to_csv(tmp_path / "suspensions_data.csv", index=False)
    found = [f for f in audit_table(tmp_path / "suspensions_data.csv") if f[2] == "event_count"]
    assert len(found) == 1 and "= 4" in found[0][3]
    # Westbury's published row (demo): RR 1.2698, SE 0.5175, 18 and 20 -> 8 and 7 events: safe; with 4 and 7, not
    rr, n1, n2 = (4 / 18) / (7 / 20), 18, 20
    pd.DataFrame({"measure": ["suspensions"], "method": ["Poisson GLM, log link, Wald CI"],
                  "effect_size_name": ["rate_ratio"], "estimate": [rr], "se": [math.sqrt(1 / 4 + 1 / 7)],
                  "n_treated": [n1], "n_control": [n2]}).to_csv(tmp_path / "comparisons.csv", index=False)
    found = [f for f in audit_table(tmp_path / "comparisons.csv") if f[2] == "event_count"]
    assert len(found) == 1 and "4 and 7 events" in found[0][3]
    pd.DataFrame({"measure": ["suspensions"], "scale": ["log ratio"], "method": ["Poisson GLM, log link, Wald CI"],
                  "estimate": [math.log(rr)], "se": [math.sqrt(1 / 4 + 1 / 7)], "n_treated": [n1],
                  "n_control": [n2]}).to_csv(tmp_path / "effect_sizes.csv", index=False)
    assert len([f for f in audit_table(tmp_path / "effect_sizes.csv") if f[2] == "event_count"]) == 1
    pd.DataFrame({"young_people": [23], "missed_sessions": [3]}).to_csv(tmp_path / "per.csv", index=False)
    assert [f[2] for f in audit_table(tmp_path / "per.csv")] == ["event_count"]


# ---------------------------------------------------------------- a note's number of zero changes (round 6)

def test_a_notes_number_of_zero_changes_no_longer_gives_back_a_hidden_count(tmp_path):
    from cm_research.surveys.publish import publish_wave_change

    # the demo's barrier item: 31 pairs, 5 rose, 8 the same, 18 fell; the rank counts are suppressed jointly
    change = pd.DataFrame({"item": ["cost_stops"], "n_pairs": [31], "n_dropped": [11], "n_higher": [5],
                           "n_same": [8], "n_lower": [18], "median_change": [-1.0],
                           "note": ["11 participant(s) without a value at both 'baseline' and 'end' left out; "
                                    "8 zero change(s) dropped before ranking"]})
    raw = change.assign(n_higher=C, n_same=C)  # as round 5 published it: the note kept the 8
    import re

    def attack(row):  # 31 - 18 - 8 = 5: n_higher from the note
        zeros = re.search(r"(?<!and )\b(\d+) zero change", row["note"])
        return None if zeros is None else int(row["n_pairs"]) - int(row["n_lower"]) - int(zeros.group(1))

    assert attack(raw.iloc[0]) == 5
    raw.to_csv(tmp_path / "before.csv", index=False)
    assert [f[2] for f in audit_table(tmp_path / "before.csv")] == ["derived_count"]
    published = pd.DataFrame(publish_wave_change(change))
    row = published.iloc[0]
    assert row["n_higher"] == C and row["n_same"] == C and attack(row) is None
    assert "the zero changes dropped" in row["note"] and "11 participant(s)" in row["note"]
    published.to_csv(tmp_path / "after.csv", index=False)
    assert list(audit_table(tmp_path / "after.csv")) == []
