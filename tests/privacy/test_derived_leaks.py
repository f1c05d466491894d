"""Round-3 red team: hidden counts that other published numbers gave back, and the rules that now stop them.

Each attack here is written from the published table alone, with the textbook formula, not with the package's
code: the Wilcoxon signed-rank sums V + V' = m(m + 1)/2 and the rank-biserial r = (V - V') / (V + V') (Kerby
2014), so m(m + 1)/2 = 2V / (1 + r); the exact coverage of the order-statistic CI of a median,
1 - 2 P(B <= r - 1) with B ~ Binomial(n, 1/2) (Conover 1999, 3.2); a hidden total of young people that is at
least each of its overlapping rows; a zero beside a hidden group size (group disclosure). All data synthetic.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from cm_research.privacy.audit import audit_table
from cm_research.privacy.derived import withhold_derived
from cm_research.privacy.suppression import suppress_counts

C = "c"


# ---------------------------------------------------------------- the attacker's tools (independent of the code)

def nonzero_from_v_and_r(v: object, r: object) -> int | None:
    """m with m(m + 1)/2 = 2V / (1 + r), when both are shown and m comes out whole."""
    try:
        v, r = float(v), float(r)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isnan(r) or r <= -1:
        return None
    s = 2 * v / (1 + r)
    m = (math.sqrt(1 + 8 * s) - 1) / 2
    return round(m) if abs(m - round(m)) < 1e-6 else None


def n_from_coverage(coverage: object, largest: int = 400) -> set[int]:
    """Every n whose order-statistic median CI can have exactly this coverage."""
    try:
        coverage = float(coverage)
    except (TypeError, ValueError):
        return set()
    if math.isnan(coverage):
        return set()
    return {n for n in range(1, largest + 1) for r in range(1, n // 2 + 2)
            if abs(1 - 2 * binom.cdf(r - 1, n, 0.5) - coverage) < 1e-12}


def survey_answers(changes: dict[str, list[int]], seed: int = 7) -> pd.DataFrame:
    """Synthetic answers (1-5) of respondents at two waves; ``changes[item]``: each respondent's end - baseline."""
    rng = np.random.default_rng(seed)
    rows = []
    for item, diffs in changes.items():
        for i, d in enumerate(diffs):
            before = int(rng.integers(max(1, 1 - d), min(5, 5 - d) + 1))
            rows += [{"respondent_id": f"SYN-R{i:03d}", "item": item, "wave": "baseline", "response": before},
                     {"respondent_id": f"SYN-R{i:03d}", "item": item, "wave": "end", "response": before + d}]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the signed-rank statistic with its r

def test_wave_change_does_not_give_back_a_hidden_count_of_rises_through_v_and_r():
    from cm_research.surveys import wave_change
    from cm_research.surveys.publish import publish_wave_change

    # 30 pairs: 3 rose, 8 stayed the same, 19 fell (3 must be hidden; 8 with it, or 30 - 19 gives 3 back)
    diffs = [1, 1, 2] + [0] * 8 + [-1] * 12 + [-2] * 7
    change = wave_change(survey_answers({"cost_stops": diffs}))
    raw = change.iloc[0]
    assert (raw["n_higher"], raw["n_same"], raw["n_lower"]) == (3, 8, 19)
    # before the fix: published counts hid 3 and 8, but V and r gave back m = 22 non-zero changes, so 22 - 19 = 3
    assert nonzero_from_v_and_r(raw["statistic"], raw["rank_biserial"]) == 22
    published = publish_wave_change(change).iloc[0]
    assert published["n_higher"] == C and published["n_same"] == C and published["n_lower"] == 19
    assert nonzero_from_v_and_r(published["statistic"], published["rank_biserial"]) is None
    assert "withheld" in published["note"]
    # round 4: its p-value is withheld too (with m unknown, p pins V for each m; see test_round4_leaks.py)
    assert math.isnan(float(published["p_val"]))


def test_the_audit_finds_v_and_r_beside_a_hidden_count(tmp_path):
    rows = pd.DataFrame({"item": ["cost_stops"], "n_pairs": [31], "n_higher": [C], "n_same": [C],
                         "n_lower": [18], "statistic": [40.0], "rank_biserial": [-0.7101449275362319]})
    rows.to_csv(tmp_path / "survey_change.csv", index=False)
    found = list(audit_table(tmp_path / "survey_change.csv"))
    assert [f[2] for f in found] == ["derived_count"]
    assert "m = 23" in found[0][3]  # 2 x 40 / (1 - 0.710145) = 276 = 23 x 24 / 2
    # withheld, the same row passes
    withhold_derived(rows).to_csv(tmp_path / "ok.csv", index=False)
    assert list(audit_table(tmp_path / "ok.csv")) == []


def test_change_within_mentored_withholds_v_and_r_where_zero_changes_are_hidden():
    from cm_research.report.outcomes import withhold_small_change
    from cm_research.stats.paired import paired_change

    rng = np.random.default_rng(11)
    base = rng.integers(80, 100, size=30).astype(float)
    diff = np.r_[np.zeros(4), rng.choice([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0, 5.0], size=26)]
    data = pd.DataFrame({"participant_id": [f"SYN-{i:03d}" for i in range(30)] * 2,
                         "timepoint": ["baseline"] * 30 + ["post"] * 30, "value": np.r_[base, base + diff]})
    change = paired_change(data, n_boot=200, seed=1).assign(measure="attendance_pct", group="mentored")
    rank_row = change[change["method"].str.startswith("Wilcoxon")].iloc[0]
    assert nonzero_from_v_and_r(rank_row["statistic"], rank_row["rank_biserial"]) == 26  # 4 zero changes
    published = withhold_small_change(change, 5)
    rank_row = published[published["method"].str.startswith("Wilcoxon")].iloc[0]
    assert rank_row["n_nonzero"] == C
    assert nonzero_from_v_and_r(rank_row["statistic"], rank_row["rank_biserial"]) is None
    t_row = published[published["method"] == "Paired t-test"].iloc[0]
    assert not math.isnan(float(t_row["statistic"]))  # the t statistic does not depend on the zeros


def test_a_count_of_zero_changes_is_not_left_as_n_pairs_minus_n_nonzero():
    from cm_research.surveys.publish import publish_counts_in_notes

    # the scale-change table of the demo: 34 pairs, 33 non-zero, note "between 1 and 5 zero change(s)"
    table = pd.DataFrame({"method": ["Wilcoxon signed-rank test"], "n": [34], "n_pairs": [34], "n_dropped": [8],
                          "n_nonzero": [33], "statistic": [118.5], "rank_biserial": [-0.5775401069518716],
                          "note": ["8 participant(s) without a value left out; 1 zero change(s) dropped before ranking"]})
    published = publish_counts_in_notes(table, ("n", "n_pairs", "n_dropped")).iloc[0]
    assert published["n_nonzero"] == C and "between 1 and 5 zero change(s)" in published["note"]
    assert nonzero_from_v_and_r(published["statistic"], published["rank_biserial"]) is None


# ---------------------------------------------------------------- a median CI's exact coverage

def test_items_summary_does_not_give_back_a_hidden_n_through_the_ci_coverage():
    from cm_research.surveys import likert_items
    from cm_research.surveys.publish import publish_items_summary

    # 40 respondents, 39 answered the statement and 1 skipped it: n 39 hidden (40 - 39 = 1 missing)
    rng = np.random.default_rng(3)
    answers = pd.DataFrame({"respondent_id": [f"SYN-R{i:03d}" for i in range(40)], "wave": "baseline",
                            "item": "cost_stops", "response": [*map(str, rng.integers(1, 6, size=39)), ""]})
    answers["response"] = answers["response"].replace("", pd.NA)
    summary = likert_items(answers)
    summary["n_missing"] = 1
    assert int(summary.iloc[0]["n"]) == 39
    assert n_from_coverage(summary.iloc[0]["ci_coverage"]) == {39}  # the leak: coverage names n exactly
    published = publish_items_summary(summary).iloc[0]
    assert published["n"] == C and published["n_missing"] == C
    assert n_from_coverage(published["ci_coverage"]) == set()
    assert not math.isnan(float(published["median_ci_low"]))  # the interval itself stays


def test_the_audit_finds_a_coverage_beside_a_hidden_n(tmp_path):
    pd.DataFrame({"item": ["a", "b"], "n": [C, 40], "ci_coverage": [0.976297297529527, 0.9615226917157997]}
                 ).to_csv(tmp_path / "items.csv", index=False)
    found = list(audit_table(tmp_path / "items.csv"))
    assert [(f[1], f[2]) for f in found] == [("line 2, column `ci_coverage`", "derived_count")]
    assert "exactly 39 answers" in found[0][3]


# ---------------------------------------------------------------- a hidden total bounded by its rows

def test_sessions_rows_do_not_pin_down_the_hidden_number_who_had_a_session():
    from cm_research.report.site_report import sessions_summary

    # 20 mentored young people; 19 had sessions (1 had none): the total 19 is hidden, as 20 - 19 = 1.
    # All 19 met in the community, so "community 19" said the hidden total was 19 (at least 19, at most 19).
    rows = []
    for i in range(19):
        rows += [{"participant_id": f"SYN-{i}", "activity": "drama", "setting": "community", "minutes": 60,
                  "attended": True}] * 3
        if i < 12:
            rows.append({"participant_id": f"SYN-{i}", "activity": "film", "setting": "school", "minutes": 60,
                         "attended": True})
    tables = sessions_summary(pd.DataFrame(rows), mentored=20)
    for key in ("by_setting", "by_activity"):
        table = tables[key].set_index(tables[key].columns[0])
        assert table.at["total", "young_people"] == C
        shown = [int(v) for label, v in table["young_people"].items() if label != "total" and v != C]
        # the attacker: total in [20 - 5, 20 - 1] and at least every shown row
        possible = set(range(max([20 - 5, *shown]), 20))
        assert len(possible) > 1, (key, table)
    # a row below the band stays: 12 young people met at school
    assert tables["by_setting"].set_index("setting").at["school", "young_people"] == 12


# ---------------------------------------------------------------- group disclosure

def test_a_zero_beside_a_hidden_group_does_not_say_everyone_in_it_shared_one_outcome():
    from cm_research.report.matches import match_summary

    # 3 matches with no shared interest, all ended; 21 with one or more, 20 ended
    table = pd.DataFrame({"shared_group": ["no shared interests"] * 3 + ["one or more shared interests"] * 21,
                          "duration_days": [100, 150, 200] + list(range(100, 310, 10)),
                          "event": [1, 1, 1] + [1] * 20 + [0], "ended_early": [False] * 24})
    published = match_summary(table).set_index("group")
    row = published.loc["no shared interests"]
    assert row["matches"] == C
    # before: ended c, still going 0 -> all of the 1 to 5 matches had ended
    assert not (row["ended"] == C and row["still_going"] == 0)
    assert not (row["still_going"] == C and row["ended"] == 0)
    assert "zero" in published.attrs["disclosure_control"]["note"]


@pytest.mark.parametrize("parts", [[3, 0], [0, 4], [2, 0, 0]])
def test_suppression_hides_a_zero_that_completes_a_small_group(parts):
    table = pd.DataFrame({"group": ["small", "large", "all"],
                          **{f"p{i}": [v, 20 + i, v + 20 + i] for i, v in enumerate(parts)}})
    table["n"] = table[[f"p{i}" for i in range(len(parts))]].sum(axis=1)
    published = suppress_counts(table, [f"p{i}" for i in range(len(parts))], totals="n",
                                total_rows={"group": "all"})
    small = published.iloc[0]
    assert small["n"] == C
    hidden_parts = [small[f"p{i}"] for i in range(len(parts))]
    assert hidden_parts.count(C) >= 2, hidden_parts  # never one c beside zeros only
    # a zero away from any small group stays a zero
    other = pd.DataFrame({"group": ["a", "b", "all"], "x": [0, 30, 30], "y": [12, 9, 21], "n": [12, 39, 51]})
    assert suppress_counts(other, ["x", "y"], totals="n", total_rows={"group": "all"}).iloc[0]["x"] == 0


# ---------------------------------------------------------------- the published demo

def test_the_published_demo_gives_back_none_of_these_hidden_counts(shared_demo_run):
    from cm_research.privacy.audit import audit_run

    findings = audit_run(shared_demo_run, identifiers=False)
    assert findings[findings["kind"] == "derived_count"].empty, findings.to_string()
    change = pd.read_csv(shared_demo_run / "all-sites" / "survey_change.csv", dtype=str, keep_default_na=False)
    for row in change.to_dict("records"):
        if C in (row["n_higher"], row["n_same"], row["n_lower"]):
            assert nonzero_from_v_and_r(row["statistic"], row["rank_biserial"]) is None, row["item"]
    items = pd.read_csv(shared_demo_run / "all-sites" / "survey_items_summary.csv", dtype=str, keep_default_na=False)
    assert all(len(n_from_coverage(r["ci_coverage"], 60)) != 1 for r in items.to_dict("records") if r["n"] == C)
    for site in ("easton", "northshire", "westbury"):
        comparisons = pd.read_csv(shared_demo_run / site / "comparisons.csv", dtype=str,
                                  keep_default_na=False).set_index("measure")
        for measure in comparisons.index[comparisons["kind"] == "binary"]:
            counts = shared_demo_run / site / f"{measure}_data.csv"
            if counts.is_file() and (pd.read_csv(counts, dtype=str)[["with_outcome", "without_outcome"]] == C).any().any():
                assert comparisons.at[measure, "estimate"] == "", (site, measure)  # Easton's EET: 5 of 8 before
        matches = pd.read_csv(shared_demo_run / site / "match_survival.csv", dtype=str, keep_default_na=False)
        for row in matches.to_dict("records"):
            if row["matches"] == C:
                assert "0" not in (row["ended"], row["still_going"]), (site, row)
        status = pd.read_csv(shared_demo_run / site / "referrals_programme_status.csv", dtype=str)
        mentored = int(status.set_index("status").at["total", "young_people"])
        for name in ("sessions_by_setting.csv", "sessions_by_activity.csv"):
            t = pd.read_csv(shared_demo_run / site / name, dtype=str, keep_default_na=False)
            if t.iloc[-1]["young_people"] == C:
                shown = [int(v) for v in t.iloc[:-1]["young_people"] if v != C]
                assert max([mentored - 5, *shown]) < mentored - 1, (site, name)


# ---------------------------------------------------------------- a proportion's difference with its group size

def test_a_difference_in_proportions_does_not_give_back_a_hidden_count_with_the_outcome():
    from cm_research.report.outcomes import binary_counts, withhold_small_groups
    from cm_research.stats.outcomes import compare_outcomes

    # Easton's published run: mentored 8 (5 in education, employment or training: hidden), comparison 18 (12)
    people = pd.DataFrame({"participant_id": [f"SYN-{i:02d}" for i in range(26)],
                           "group": ["mentored"] * 8 + ["comparison"] * 18})
    eet = [1] * 5 + [0] * 3 + [1] * 12 + [0] * 6
    outcomes = pd.DataFrame({"participant_id": people["participant_id"], "measure": "destination_eet",
                             "timepoint": "post", "value": eet})
    comparisons = compare_outcomes(outcomes, people, ["destination_eet"])
    row = comparisons.iloc[0]
    assert (row["n_treated"], row["n_control"]) == (8, 18)

    def attack(r) -> int | None:
        """k_mentored = (difference + 12/18) x 8, when the difference is shown and that is whole."""
        if pd.isna(r["estimate"]):
            return None
        k = (float(r["estimate"]) + 12 / 18) * int(r["n_treated"])
        return round(k) if abs(k - round(k)) < 1e-9 else None

    assert attack(row) == 5  # the leak before
    assert binary_counts(outcomes, people, comparisons) == {"destination_eet": [5, 3, 12, 6]}
    published = withhold_small_groups(comparisons, 5, binary_counts(outcomes, people, comparisons)).iloc[0]
    assert attack(published) is None
    assert pd.isna(published["p_val"]) and pd.isna(published["effect_size"]) and pd.isna(published["ci_low"])
    assert published["favours"] == "withheld" and published["n_treated"] == 8
    # a large enough split in both groups is published as before
    eet = [1] * 6 + [0] * 6 + [1] * 12 + [0] * 6
    people = pd.DataFrame({"participant_id": [f"SYN-{i:02d}" for i in range(30)],
                           "group": ["mentored"] * 12 + ["comparison"] * 18})
    outcomes = pd.DataFrame({"participant_id": people["participant_id"], "measure": "destination_eet",
                             "timepoint": "post", "value": eet})
    comparisons = compare_outcomes(outcomes, people, ["destination_eet"])
    kept = withhold_small_groups(comparisons, 5, binary_counts(outcomes, people, comparisons)).iloc[0]
    assert kept["estimate"] == pytest.approx(6 / 12 - 12 / 18)


def test_a_whole_group_with_the_same_outcome_is_not_published_as_such():
    from cm_research.plots.published import proportion_counts
    from cm_research.report.outcomes import binary_counts, withhold_small_groups
    from cm_research.stats.outcomes import compare_outcomes

    # all 8 mentored young people in education, employment or training: "8 of 8" (100%) tells each one's outcome
    people = pd.DataFrame({"participant_id": [f"SYN-{i:02d}" for i in range(26)],
                           "group": ["mentored"] * 8 + ["comparison"] * 18})
    outcomes = pd.DataFrame({"participant_id": people["participant_id"], "measure": "destination_eet",
                             "timepoint": "post", "value": [1] * 8 + [1] * 12 + [0] * 6})
    figure = proportion_counts(outcomes.merge(people)).set_index("group")
    assert figure.loc["mentored", ["with_outcome", "without_outcome", "pct_with_outcome"]].tolist() == [C, C, C]
    assert figure.loc["mentored", "young_people"] == 8
    assert figure.loc["comparison", ["with_outcome", "without_outcome"]].tolist() == [12, 6]
    comparisons = compare_outcomes(outcomes, people, ["destination_eet"])
    assert comparisons.iloc[0]["estimate"] == pytest.approx(1 - 12 / 18)  # 100% of the 8 follows from it
    published = withhold_small_groups(comparisons, 5, binary_counts(outcomes, people, comparisons)).iloc[0]
    assert pd.isna(published["estimate"]) and published["favours"] == "withheld"


def test_items_summary_withholds_a_halfway_median_beside_a_hidden_n():
    from cm_research.surveys import likert_items
    from cm_research.surveys.publish import publish_items_summary

    # 40 respondents, 38 answered: 19 said 2 and 19 said 3, so the median is (2 + 3) / 2 = 2.5, which only an even
    # number of answers gives. n 38 is hidden (40 - 38 = 2 missing), so 2.5 would narrow it to the even numbers.
    answers = pd.DataFrame({"respondent_id": [f"SYN-R{i:03d}" for i in range(40)], "wave": "baseline",
                            "item": "cost_stops", "response": ["2"] * 19 + ["3"] * 19 + ["", ""]})
    answers["response"] = answers["response"].replace("", pd.NA)
    summary = likert_items(answers)
    summary["n_missing"] = 2
    assert int(summary.iloc[0]["n"]) == 38 and float(summary.iloc[0]["median"]) == 2.5
    published = publish_items_summary(summary).iloc[0]
    assert published["n"] == C and math.isnan(float(published["median"]))
    # with n shown (no one missing: 38 of 38 respondents) the same median is published
    summary["n_missing"] = 0
    assert float(publish_items_summary(summary).iloc[0]["median"]) == 2.5
