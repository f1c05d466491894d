"""Round-4 red team: hidden counts given back by statistics and by another report of the same run.

Each attack is written from the published numbers alone with the textbook formula, not the package's code. All
data synthetic (seeded).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from cm_research.privacy.audit import audit_table

C = "c"


# ---------------------------------------------------------------- the signed-rank p-value beside a hidden count

def nonzero_from_p(p: object, n_pairs: int, threshold: int = 5) -> list[int]:
    """Every m (n_pairs - threshold <= m <= n_pairs) for which a two-sided normal-approximation signed-rank p
    (continuity correction, no ties) comes from a whole or half-number V:
    z = (|V - m(m+1)/4| - 1/2) / sqrt(m(m+1)(2m+1)/24), so V = m(m+1)/4 - z sd - 1/2 or + z sd + 1/2."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        return []
    if math.isnan(p):
        return []
    z = norm.isf(p / 2)
    found = []
    for m in range(n_pairs - threshold, n_pairs + 1):
        sd = math.sqrt(m * (m + 1) * (2 * m + 1) / 24)
        if any(abs(2 * v - round(2 * v)) < 1e-7 for v in (m * (m + 1) / 4 - z * sd - 0.5,
                                                          m * (m + 1) / 4 + z * sd + 0.5)):
            found.append(m)
    return found


def _change_with_zeros(zeros: int, n: int = 26, seed: int = 3) -> pd.DataFrame:
    from cm_research.stats.paired import paired_change

    rng = np.random.default_rng(seed)
    base = rng.uniform(70, 95, size=n).round(2)
    # distinct non-zero changes (no ties), mostly rises; `zeros` young people did not change at all
    diff = np.r_[np.zeros(zeros), (rng.permutation(np.arange(1, n - zeros + 1)) * 0.37 - 2.0).round(2)]
    assert len(set(np.abs(diff[zeros:]))) == n - zeros and (diff[zeros:] != 0).all()
    data = pd.DataFrame({"participant_id": [f"SYN-{i:03d}" for i in range(n)] * 2,
                         "timepoint": ["baseline"] * n + ["post"] * n, "value": np.r_[base, base + diff]})
    return paired_change(data, n_boot=200, seed=1).assign(measure="attendance_pct", group="mentored")


def test_the_signed_rank_p_value_no_longer_gives_back_a_hidden_count_of_zero_changes():
    from cm_research.report.outcomes import withhold_small_change

    change = _change_with_zeros(2)
    raw = change[change["method"].str.startswith("Wilcoxon")].iloc[0]
    assert "normal approximation" in raw["method"] and raw["n_nonzero"] == 24
    # before the fix: n_nonzero was c ("between 1 and 5 zero changes") but its p fitted m = 24 alone: 2 zeros
    assert nonzero_from_p(raw["p_val"], 26) == [24]
    published = withhold_small_change(change, 5)
    row = published[published["method"].str.startswith("Wilcoxon")].iloc[0]
    assert row["n_nonzero"] == C and row["n_pairs"] == 26
    assert nonzero_from_p(row["p_val"], 26) == [] and math.isnan(float(row["p_val"]))
    assert "p-value withheld" in row["note"]
    t_row = published[published["method"] == "Paired t-test"].iloc[0]
    assert 0 < float(t_row["p_val"]) < 1  # the t-test's p does not depend on the zeros: it stays


def test_the_audit_finds_a_signed_rank_p_value_beside_a_hidden_count(tmp_path):
    # the demo's Northshire attendance row as round 3 published it: 26 pairs, n_nonzero c, p shown
    row = pd.DataFrame({"measure": ["attendance_pct"], "method": ["Wilcoxon signed-rank test (normal approximation, "
                                                                 "continuity correction)"],
                        "n_pairs": [26], "n_nonzero": [C], "p_val": [0.006933947606081329]})
    assert nonzero_from_p(0.006933947606081329, 26) == [24]  # V = 55: 24 x 25 / 4 = 150, 150 - 2.699 x 35 - .5
    row.to_csv(tmp_path / "change_within_mentored.csv", index=False)
    found = list(audit_table(tmp_path / "change_within_mentored.csv"))
    assert [f[2] for f in found] == ["derived_count"] and "m = 24" in found[0][3]
    row.assign(p_val=[math.nan]).to_csv(tmp_path / "ok.csv", index=False)
    assert list(audit_table(tmp_path / "ok.csv")) == []


# ---------------------------------------------------------------- one count, two reports

def _attrition_data(baseline: dict[str, int], both: dict[str, int], measure: str = "swemwbs"):
    """Synthetic participants and outcomes: per group, ``baseline[g]`` measured at baseline, the first
    ``both[g]`` of them at post too."""
    people, rows = [], []
    for group in ("mentored", "comparison"):
        for i in range(baseline[group]):
            pid = f"SYN-{group[0].upper()}{i:03d}"
            people.append({"participant_id": pid, "group": group, "cohort": "2023/24"})
            rows.append({"participant_id": pid, "measure": measure, "timepoint": "baseline", "value": 40.0 + i % 7})
            if i < both[group]:
                rows.append({"participant_id": pid, "measure": measure, "timepoint": "post", "value": 42.0 + i % 5})
    return pd.DataFrame(people), pd.DataFrame(rows)


def test_attrition_keeps_the_analysed_n_shown_and_hides_what_would_give_back_the_lost(tmp_path):
    from cm_research.privacy.contract import write_table
    from cm_research.privacy.linked import linked_findings
    from cm_research.quality import published_counts

    # Northshire's SWEMWBS in the demo: 21 mentored measured at baseline, 16 at both, so 5 lost (to hide)
    participants, outcomes = _attrition_data({"mentored": 21, "comparison": 25}, {"mentored": 16, "comparison": 22})
    tables = published_counts(participants, outcomes)
    at = tables["attrition"].set_index("group")
    assert at.loc["mentored", "n_lost"] == C and at.loc["comparison", "n_lost"] == C  # 5 and 3
    # the outcomes report shows 16 pairs (paired t: dof 15) and the ANCOVA's 16 and 22: the same counts as n_both.
    # Round 3 hid n_both here and showed n_baseline, so 21 - 16 gave back the 5 lost. Now n_both is shown
    # (it is public anyway) and n_baseline is hidden, in missingness too (the same count, linked).
    assert at.loc["mentored", "n_both"] == 16 and at.loc["comparison", "n_both"] == 22
    assert at.loc["mentored", "n_baseline"] == C and at.loc["comparison", "n_baseline"] == C
    miss = tables["missingness"]
    base = miss[miss["timepoint"] == "baseline"].set_index("group")
    assert base.loc["mentored", "n_recorded"] == C and base.loc["comparison", "n_recorded"] == C
    # no published count of those measured at baseline is left to subtract 16 or 22 from
    assert not [v for v in base[["n_expected", "n_recorded", "n_missing"]].to_numpy().ravel() if v != C]
    # the audit of the two reports side by side: clean now, a linked_count when n_both is hidden as round 3 did
    site = tmp_path / "site"
    site.mkdir()
    write_table(tables["attrition"], site / "attrition.csv")
    change = pd.DataFrame({"measure": ["swemwbs"], "group": ["mentored"], "method": ["Paired t-test"],
                           "n_pairs": [16], "dof": [15.0]})
    change.to_csv(site / "change_within_mentored.csv", index=False)
    assert list(linked_findings(tmp_path)) == []
    old = pd.DataFrame({"measure": ["swemwbs"] * 2, "group": ["comparison", "mentored"], "n_baseline": [25, 21],
                        "n_both": [C, C], "n_lost": [C, C], "pct_retained": [C, C]})
    old.to_csv(site / "attrition.csv", index=False)
    found = list(linked_findings(tmp_path))
    assert [f[2] for f in found] == ["linked_count"] and "16" in found[0][3] and found[0][1] == "line 3, column `n_both`"


def test_a_cell_published_elsewhere_is_hidden_only_when_nothing_else_protects_the_line():
    from cm_research.privacy.joint import JointSuppression

    table = pd.DataFrame({"group": ["a"], "n_baseline": [21], "n_both": [16], "n_lost": [5]})
    plain = JointSuppression()
    plain.add("attrition", table, ["n_both", "n_lost"], totals="n_baseline")
    assert plain.run()["attrition"].iloc[0].tolist() == ["a", 21, C, C]  # the smallest: n_both
    kept = JointSuppression()
    kept.add("attrition", table, ["n_both", "n_lost"], totals="n_baseline", published_elsewhere={"n_both": [True]})
    assert kept.run()["attrition"].iloc[0].tolist() == ["a", C, 16, C]
    both = JointSuppression()  # nothing else on the line: the kept cell is hidden after all, never the leak
    both.add("attrition", table, ["n_both", "n_lost"], totals="n_baseline",
             published_elsewhere={"n_both": [True], "n_baseline": [True]})
    row = both.run()["attrition"].iloc[0]
    assert row["n_lost"] == C and C in (row["n_both"], row["n_baseline"])


def test_a_comparisons_note_no_longer_adds_up_the_groups_hidden_missing_counts(tmp_path):
    from cm_research.report.outcomes import withhold_small_groups
    from cm_research.stats.outcomes import compare_outcomes

    # Westbury's attendance in the demo: 23 + 23 young people, all measured at baseline; 18 and 20 at post
    participants, outcomes = _attrition_data({"mentored": 23, "comparison": 23}, {"mentored": 18, "comparison": 20},
                                             measure="attendance_pct")
    raw = compare_outcomes(outcomes, participants, ["attendance_pct"]).iloc[0]
    assert (raw["n_treated"], raw["n_control"]) == (18, 20) and "8 row(s) dropped" in raw["note"]
    # the attack: dropped = (23 - n_baseline_m) ... each group lost at most 23 - analysed, and 5 + 3 = 8 exactly
    dropped = int(raw["note"].split(" row(s)")[0])
    lost_m_max, lost_c_max = 23 - raw["n_treated"], 23 - raw["n_control"]
    assert dropped == lost_m_max + lost_c_max  # so lost_m = 5 and lost_c = 3, both hidden in attrition.csv
    published = withhold_small_groups(compare_outcomes(outcomes, participants, ["attendance_pct"]), 5).iloc[0]
    assert "rows dropped for missing `post` or `baseline`" in published["note"]
    assert "8 row" not in published["note"] and not any(ch.isdigit() for ch in published["note"].split(";")[0])
    pd.DataFrame([raw]).to_csv(tmp_path / "comparisons.csv", index=False)
    found = list(audit_table(tmp_path / "comparisons.csv"))
    assert [f[2] for f in found] == ["derived_count"] and "8 row(s) dropped" in found[0][3]
    pd.DataFrame([published]).to_csv(tmp_path / "ok.csv", index=False)
    assert list(audit_table(tmp_path / "ok.csv")) == []


# ---------------------------------------------------------------- rows that are people

def test_a_per_case_table_no_longer_counts_the_interviewees_of_a_role(tmp_path):
    from cm_research.qual.publish import anonymous_cases

    # the demo's published interviews table: every (role, site) count hidden, so each is 1 to 5
    interviews = pd.DataFrame({"role": ["carer", "carer", "mentee", "mentee", "mentee", "mentor", "mentor", "mentor",
                                        "social worker", "social worker", "VSH"],
                               "site": ["Easton", "Northshire", "Easton", "Northshire", "Westbury", "Easton",
                                        "Northshire", "Westbury", "Easton", "Westbury", "Northshire"],
                               "interviews": [C] * 11})
    adult_cells = int((interviews["role"] != "mentee").sum())
    # round 3's framework overview: a row per case, pooled attributions (4 young people, 8 adults)
    rng = np.random.default_rng(5)
    overview = pd.DataFrame({"case": [""] * 12,
                             "role": ["a young person"] * 4 + ["a professional working with the young person"] * 8,
                             "site": [""] * 12, "Relationship and trust": rng.integers(0, 15, 12),
                             "Support for mentors": rng.integers(0, 15, 12), "pooled": [True] * 12})
    overview["attribution"] = overview["role"]
    adult_rows = int((overview["attribution"] != "a young person").sum())
    # the attack: 8 adult rows over 8 hidden adult cells, each at least 1: every adult cell is exactly 1
    assert adult_rows == adult_cells == 8
    overview.to_csv(tmp_path / "framework_overview.csv", index=False)
    found = list(audit_table(tmp_path / "framework_overview.csv"))
    assert [f[2] for f in found] == ["row_count"] and "4 row(s) for a young person" in found[0][3]
    published = anonymous_cases(overview)
    assert set(published["attribution"]) == {"an interviewee"} and set(published["role"]) == {""}
    assert published["Relationship and trust"].is_monotonic_decreasing  # an order that follows no file or date
    assert sorted(published["Support for mentors"]) == sorted(overview["Support for mentors"])  # numbers kept
    published.to_csv(tmp_path / "ok.csv", index=False)
    assert list(audit_table(tmp_path / "ok.csv")) == []


def test_negative_cases_per_theme_are_published_without_who(tmp_path):
    from cm_research.qual.publish import anonymous_cases

    cases = pd.DataFrame({"theme": ["trust", "trust", "trust", "esteem", "esteem"], "case": ["", "", "", "", ""],
                          "role": ["a young person", "mentor", "mentor", "carer", "carer"],
                          "site": ["", "Easton", "Easton", "Easton", "Easton"], "n_for": [4, 10, 2, 3, 7],
                          "n_against": [1, 1, 1, 2, 1]})
    cases["attribution"] = cases["role"]
    cases.to_csv(tmp_path / "negative_cases.csv", index=False)
    # (n_for and n_against count sentences; the run's .disclosure record tells the audit, not written here)
    assert "row_count" in {f[2] for f in audit_table(tmp_path / "negative_cases.csv")}
    published = anonymous_cases(cases)
    assert published["theme"].tolist() == ["trust"] * 3 + ["esteem"] * 2  # the codebook's order of themes
    assert published["n_for"].tolist() == [10, 4, 2, 7, 3]
    published.to_csv(tmp_path / "ok.csv", index=False)
    # round 5: anonymous, the rows under a theme still count its people (3 and 2), so negative cases are now
    # published one row per theme (test_round5_figures_and_qual.py), and the audit counts rows by theme too
    assert [f[3].split(":")[0] for f in audit_table(tmp_path / "ok.csv") if f[2] == "row_count"] == [
        "3 row(s) for theme trust", "2 row(s) for theme esteem"]
