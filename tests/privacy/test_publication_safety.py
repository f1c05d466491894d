"""Issue 15: the disclosure contract, joint suppression across a report's tables, the whole-run audit,
published figures (survival truncation) and the p-value policy of sentences."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from cm_research.privacy.audit import audit_run
from cm_research.privacy.contract import DisclosureContractError, SuppressedTable, write_table
from cm_research.privacy.joint import JointSuppression
from cm_research.privacy.suppression import SuppressionError, certify, suppress_counts


# --- the contract ---------------------------------------------------------------------------------------------

def _published():
    t = pd.DataFrame({"cohort": ["2022/23", "2023/24", "total"], "mentored": [3, 20, 23], "comparison": [12, 14, 26],
                      "total": [15, 34, 49]})
    return suppress_counts(t, ["mentored", "comparison"], totals="total", total_rows={"cohort": "total"})


def test_only_the_suppression_step_makes_a_publishable_table_and_anything_derived_is_refused(tmp_path):
    table = _published()
    assert isinstance(table, SuppressedTable)
    write_table(table, tmp_path / "ok.csv")  # accepted
    assert pd.read_csv(tmp_path / "ok.csv")["mentored"].tolist() == ["c", "c", "23"]
    derived = [table.merge(table, on="cohort"), pd.concat([table, table]), table.assign(x=1), table.copy(),
               table.drop(columns="total"), table[table["cohort"] != "total"]]
    for frame in derived:  # merge/concat etc. drop the status by type, not by luck of attrs
        assert type(frame) is pd.DataFrame
        with pytest.raises(DisclosureContractError, match="small-number suppression"):
            write_table(frame, tmp_path / "no.csv")
    with pytest.raises(DisclosureContractError):
        SuppressedTable({"a": [1]})
    off = suppress_counts(pd.DataFrame({"g": ["a", "b"], "n": [2, 30]}), ["n"], suppress=False)
    with pytest.raises(DisclosureContractError, match="switched off"):
        write_table(off, tmp_path / "off.csv")
    write_table(off, tmp_path / "internal.csv", publication=False)  # an internal run may write it
    assert not (tmp_path / "no.csv").exists()


def test_certify_refuses_a_small_count_and_names_row_and_column():
    with pytest.raises(SuppressionError, match=r"row 1, column `n_treated`: 4 is a count from 1 to 5"):
        certify(pd.DataFrame({"n_treated": [30, 4], "estimate": [1.0, 2.0]}), ["n_treated"])
    ok = certify(pd.DataFrame({"n_treated": [30, "c", 0]}), ["n_treated"])
    assert isinstance(ok, SuppressedTable) and ok.disclosure["suppression"] == "certified"


# --- joint suppression ----------------------------------------------------------------------------------------

def _consistent(published: dict[str, list], relations, unknown: list[str], low=1, high=30):
    """Brute force: every assignment of whole numbers low..high to the hidden cells satisfying all relations."""
    for values in itertools.product(range(low, high + 1), repeat=len(unknown)):
        cell = {**published, **dict(zip(unknown, values))}
        if all(rel(cell) for rel in relations):
            yield dict(zip(unknown, values))


def test_two_tables_that_leak_together_are_protected_together():
    # Table A: mentored young people by sex; table B: the boys by stage. Worked by hand:
    # alone, A hides girls = 3 (primary) and boys = 17 (secondary); B shows nothing small (10, 7, 17).
    # Together: girls = A.total - B.total_boys = 20 - 17 = 3. Linking A.boys = B.total, joint suppression must
    # hide B's total, and then one more cell of B's row (the smallest, secondary = 7): B = 10, c, c.
    a = pd.DataFrame({"sex": ["girls", "boys", "total"], "young_people": [3, 17, 20]})
    b = pd.DataFrame({"sex": ["boys"], "primary": [10], "secondary": [7], "total": [17]})
    alone_a = suppress_counts(a, ["young_people"], total_rows={"sex": "total"})
    alone_b = suppress_counts(b, ["primary", "secondary"], totals="total")
    assert alone_a["young_people"].tolist() == ["c", "c", 20] and alone_b["total"].tolist() == [17]
    assert 20 - alone_b["total"].iloc[0] == 3  # the leak: the hidden 3, recovered

    joint = JointSuppression()
    joint.add("by_sex", a, ["young_people"], total_rows={"sex": "total"})
    joint.add("boys_by_stage", b, ["primary", "secondary"], totals="total")
    joint.link(("by_sex", {"sex": "boys"}, "young_people"), ("boys_by_stage", {"sex": "boys"}, "total"))
    out = joint.run()
    assert out["by_sex"]["young_people"].tolist() == ["c", "c", 20]
    assert out["boys_by_stage"][["primary", "secondary", "total"]].iloc[0].tolist() == [10, "c", "c"]
    # By brute force over what is published: girls is no longer pinned down.
    relations = [lambda v: v["girls"] + v["boys"] == 20, lambda v: v["boys"] == v["b_total"],
                 lambda v: 10 + v["b_secondary"] == v["b_total"]]
    girls = {s["girls"] for s in _consistent({}, relations, ["girls", "boys", "b_total", "b_secondary"], 1, 20)}
    assert girls == set(range(1, 10))  # 1..9: boys = 10 + secondary >= 11


def test_easton_attrition_no_longer_gives_away_a_hidden_missingness_count(tmp_path):
    from cm_research import quality
    from cm_research.data import load_evaluation
    from cm_research.datasets import demo_site_dir

    evaluation = load_evaluation(demo_site_dir("Easton"), all_tables=True)
    participants, outcomes = evaluation.participants.data, evaluation.outcomes.data
    raw_m, raw_a = quality.missingness(outcomes, participants), quality.attrition(outcomes, participants)
    spec = quality.PUBLISHED_COUNTS
    alone_m = suppress_counts(raw_m, spec["missingness"]["count_columns"], totals="n_expected",
                              percentages=spec["missingness"]["percentages"])
    alone_a = suppress_counts(raw_a, spec["attrition"]["count_columns"], totals="n_baseline",
                              percentages=spec["attrition"]["percentages"])

    def leaks(m, a):
        """Hidden baseline n_missing recovered as n_expected - (attrition's n_baseline)."""
        base = m[m["timepoint"] == "baseline"].merge(a, on=["measure", "group"], suffixes=("", "_a"))
        found = base[(base["n_missing"] == "c") & (base["n_baseline"] != "c")]
        return [(r.measure, r.group, r.n_expected - r.n_baseline) for r in found.itertuples()]

    before = leaks(alone_m, alone_a)
    assert before, "per-table suppression of the Easton demo should show the leak the issue reports"
    for measure, group, recovered in before:  # the recovered number is the true hidden count, from 1 to 5
        truth = raw_m[(raw_m["measure"] == measure) & (raw_m["group"] == group) & (raw_m["timepoint"] == "baseline")]
        assert recovered == truth["n_missing"].iloc[0] and 1 <= recovered <= 5
    tables = quality.write_quality_tables(evaluation, tmp_path)
    assert leaks(tables["missingness"], tables["attrition"]) == []
    assert isinstance(tables["attrition"], SuppressedTable)
    assert "together" in tables["attrition"].disclosure["note"]


# --- the audit ------------------------------------------------------------------------------------------------

def test_the_audit_finds_small_counts_small_k_of_n_lone_attributions_and_figures_without_data(tmp_path):
    run = tmp_path / "run"
    (run / "easton").mkdir(parents=True)
    pd.DataFrame({"role": ["social worker", "mentee"], "site": ["Easton", "Easton"], "interviews": ["1", "c"]}) \
        .to_csv(run / "easton" / "interviews.csv", index=False)
    pd.DataFrame({"group": ["a", "b", "c"], "young_people": [3, "c", 12], "mean": [2.0, 3.0, 4.0]}) \
        .to_csv(run / "easton" / "fig_data.csv", index=False)
    (run / "easton" / "report.html").write_text(
        "<html><body><p>Raised by mentees (2 of 2) and 4 of the 20 mentors asked; 1 of 4 measures improved.</p>"
        "<p>“It helped.” — social worker, Easton</p><p>“Fine.” — mentor, Westbury</p>"
        '<figure><img src="x.png" alt="Bars: 5/8 and 20/30"><figcaption>No link</figcaption></figure>'
        '<figure><img src="y.png" alt="ok"><figcaption><a href="y_data.csv">numbers</a></figcaption></figure>'
        "</body></html>", encoding="utf-8")
    found = audit_run(run, identifiers=False)
    kinds = found.groupby("kind")["text"].apply(list).to_dict()
    # interviews "1" (social worker) is itself a small count; young_people 3 another; "c" and 12 are fine
    assert sorted(found.loc[found["kind"] == "small_count", "file"]) == ["easton/fig_data.csv", "easton/interviews.csv"]
    assert len(kinds["k_of_n"]) == 3  # 2 of 2, 4 of the 20 mentors (k small), 5/8 in the alt; not 20/30, not 1 of 4 measures
    assert kinds["single_person"] == ["— social worker, Easton"]  # the mentor at Westbury is not in a small group
    assert len(kinds["figure_without_data"]) == 1


# --- figures ---------------------------------------------------------------------------------------------------

def test_a_published_survival_curve_stops_where_fewer_than_10_remain_at_risk():
    from cm_research.plots.survival import kaplan_meier_plot
    from cm_research.stats.survival import kaplan_meier

    # 12 matches ending on days 1..12: just before day k, 13 - k are at risk, so >= 10 up to day 3 (by hand).
    matches = pd.DataFrame({"days": range(1, 13), "ended": [1] * 12, "g": ["all"] * 12})
    km = kaplan_meier(matches, "days", "ended", "g")
    ax = kaplan_meier_plot(km)
    curve = [line for line in ax.get_lines() if line.get_gid() == "survival_curve"][0]
    assert max(curve.get_xdata()) == 3 and min(curve.get_ydata()) == pytest.approx(9 / 12)
    assert any(t.get_gid() == "truncation_note" and "fewer than 10" in t.get_text() for t in ax.texts)
    internal = kaplan_meier_plot(km, suppress=False)
    assert max([line for line in internal.get_lines() if line.get_gid() == "survival_curve"][0].get_xdata()) == 12


# --- p-values in sentences --------------------------------------------------------------------------------------

def test_sentences_quote_the_holm_adjusted_p_when_several_outcomes_are_compared():
    from cm_research.report.sentences import describe_comparison
    from cm_research.stats.outcomes import holm

    # Holm by hand for p = 0.025, 0.04, 0.30, 0.50 (m = 4): 4 x 0.025 = 0.10, max(0.10, 3 x 0.04) = 0.12, ...
    p = pd.Series([0.025, 0.04, 0.30, 0.50])
    assert holm(p).round(3).tolist() == [0.1, 0.12, 0.6, 0.6]
    row = {"title": "Suspensions", "analysis": "post: rate ratio", "kind": "count", "estimate": 0.42,
           "ci_low": 0.19, "ci_high": 0.89, "n_treated": 31, "n_control": 58, "p_val": 0.025, "p_holm": 0.1,
           "better": "lower", "favours": "mentored", "null": 1.0, "effect_size": 0.42}
    text = describe_comparison(row, n_outcomes=4)
    assert "Holm-adjusted p = 0.100 across the 4 outcomes compared" in text and "p = 0.025" not in text
    assert "p = 0.025" in describe_comparison(row, n_outcomes=1)


# --- interviews and quotes --------------------------------------------------------------------------------------

def test_interview_counts_are_suppressed_and_quotes_of_small_groups_are_pooled():
    from dataclasses import dataclass

    from cm_research.qual.publish import publish_thematic
    from cm_research.qual.workflow import quotes_markdown

    @dataclass
    class Result:  # the fields publish_thematic uses of a ThematicResult
        tables: dict

    tables = {
        "interviews": pd.DataFrame({"role": ["social worker", "mentee", "mentor"], "site": ["Easton"] * 3,
                                    "interviews": [1, 2, 4], "participant_words": [900, 1500, 3000]}),
        "quotes": pd.DataFrame({"theme_label": ["Trust"] * 3, "role": ["social_worker", "mentee", "mentor"],
                                "site": ["Easton"] * 3, "participant_label": ["SW 1", "Mentee 1", "Mentor 1"],
                                "quote": ["Amira was brave.", "I liked it.", "Amira trusted me."],
                                "quote_display": ["Amira was brave.", "I liked it.", "Amira trusted me."]}),
        "themes_generated_by": pd.DataFrame({"theme": ["trust"], "theme_label": ["Trust"], "roles": ["mentee"],
                                             "n_roles": [2], "sentence": [
            "Trust: generated by views of mentees (2 of 2) and mentors (4 of 40)."]}),
        "theme_role_matrix": pd.DataFrame({"theme": ["trust"] * 2, "role": ["mentee", "mentor"],
                                           "n_segments": [3, 9], "n_participants": [2, 12],
                                           "n_role_participants": [2, 40], "share_participants": [1.0, 0.3]}),
    }
    out = publish_thematic(Result(tables), names=["Amira"]).tables
    assert out["interviews"]["interviews"].tolist() == ["c", "c", "c"]  # 1, 2 and 4 are all from 1 to 5
    assert out["interviews"]["participant_words"].tolist() == ["c", "c", "c"]
    quotes = out["quotes"]
    # fewer than 3 interviewed: the social worker (1) and the mentees (2) are pooled; 4 mentors are not
    assert quotes["attribution"].tolist() == ["a professional working with the young person", "a young person",
                                              "mentor, Easton"]
    assert quotes["quote_display"].tolist() == ["[name] was brave.", "I liked it.", "[name] trusted me."]
    assert "participant_label" not in quotes and "quote" not in quotes
    text = quotes_markdown(quotes)
    assert "— social worker" not in text and "Where fewer than 3 people of a role" in text
    assert out["themes_generated_by"]["sentence"].iloc[0] == "Trust: generated by views of mentees and mentors."
    matrix = out["theme_role_matrix"]
    assert matrix["n_participants"].tolist() == ["c", 12] and matrix["share_participants"].tolist() == ["c", 0.3]
    assert matrix["n_role_participants"].tolist() == ["c", 40]


def test_a_tables_record_cannot_hide_a_count_of_people_from_the_audit(tmp_path):
    table = certify(pd.DataFrame({"ngram": ["a b"], "n": [2], "young_people": ["c"], "n_participants": [3]}), [],
                    suppress=False, not_people=["n"])  # suppress=False: certify does not refuse the 3
    write_table(table, tmp_path / "t.csv", publication=False)
    found = audit_run(tmp_path, identifiers=False)
    # declared nothing, but `n_participants` is named like a count of people: 3 is found; `n` (n-gram length) is not
    assert found["location"].tolist() == ["line 2, column `n_participants`"]


# --- rows that point back at one interview ---------------------------------------------------------------------

def test_rows_of_one_interview_name_no_file_role_or_site_and_keyword_lines_are_pooled_without_their_source():
    from dataclasses import dataclass

    from cm_research.qual.publish import POOLED_LABEL, publish_concordance, publish_thematic, small_groups

    @dataclass
    class Result:
        tables: dict

    interviews = pd.DataFrame({"role": ["vsh", "mentor"], "site": ["Northshire"] * 2, "interviews": [1, 4],
                               "participant_words": [900, 3000]})
    # one VSH and four mentors at Northshire: five rows of coverage; counting them by role and site gave back
    # the 1 and the 4 that interviews.csv shows as c
    coverage = pd.DataFrame({"transcript": ["04_northshire_vsh", *[f"0{i}_northshire_mentor" for i in range(5, 9)]],
                             "role": ["vsh"] + ["mentor"] * 4, "site": ["Northshire"] * 5,
                             "n_segments": [60, 80, 70, 90, 50], "n_coded_segments": [30, 60, 35, 45, 40],
                             "pct_coded": [50.0, 75.0, 50.0, 50.0, 80.0], "n_codes": [12, 20, 15, 14, 9]})
    out = publish_thematic(Result({"interviews": interviews, "coverage": coverage})).tables["coverage"]
    assert set(out["transcript"]) == {""} and set(out["role"]) == {""} and set(out["site"]) == {""}
    assert out["pct_coded"].tolist() == [80.0, 75.0, 50.0, 50.0, 50.0]  # by coverage, not in file order
    assert sorted(out["n_codes"]) == sorted(coverage["n_codes"])  # the numbers themselves are all kept

    kwic = pd.DataFrame({"transcript": ["04_northshire_vsh", "05_northshire_mentor"],
                         "segment_id": ["04_northshire_vsh#46.1", "05_northshire_mentor#3.1"],
                         "role": ["vsh", "mentor"], "site": ["Northshire"] * 2, "start": [10, 20], "end": [18, 28],
                         "left": ["I ", "We "], "match": ["listened", "listened"], "right": [".", "."]})
    shown = publish_concordance(kwic, small_groups(interviews))
    assert not {"transcript", "segment_id", "start", "end"} & set(shown.columns)
    assert shown["attribution"].tolist() == [POOLED_LABEL, "mentor, Northshire"]
    assert "northshire" not in shown.iloc[0].to_string().lower()  # the pooled VSH line names no site at all


def test_the_audit_finds_a_table_that_names_the_interview_of_its_rows(tmp_path):
    table = certify(pd.DataFrame({"transcript": ["04_northshire_vsh", ""], "role": ["a professional", "mentor"],
                                  "match": ["listened", "listened"]}), [], name="concordance")
    write_table(table, tmp_path / "concordance.csv", publication=False)
    found = audit_run(tmp_path, identifiers=False)
    assert found["kind"].tolist() == ["interview_source"] and "04_northshire_vsh" in found["text"].iloc[0]
    blank = certify(pd.DataFrame({"transcript": ["", ""], "pct_coded": [50.0, 75.0]}), [], name="coverage")
    write_table(blank, tmp_path / "concordance.csv", publication=False)
    assert audit_run(tmp_path, identifiers=False).empty


def test_the_published_demo_gives_back_no_hidden_count_of_matches_or_interviews(shared_demo_run):
    # matches: a curve's first point is its group's size; it may be shown only where the table shows it too
    for site in ("easton", "northshire", "westbury"):
        table = pd.read_csv(shared_demo_run / site / "match_survival.csv", dtype=str).set_index("group")
        curve = shared_demo_run / site / "match_survival_data.csv"
        if curve.exists():
            for group, rows in pd.read_csv(curve).groupby("group"):
                assert table.loc[group, "matches"] == str(rows["n_risk"].iloc[0]), (site, group)
    qual = shared_demo_run / "all-sites"
    for name in ("coverage", "concordance", "quotes", "saturation_curve"):
        t = pd.read_csv(qual / f"{name}.csv", dtype=str, keep_default_na=False)
        assert not any(t[c].str.strip().any() for c in ("transcript", "segment_id") if c in t), name
    coverage = pd.read_csv(qual / "coverage.csv", dtype=str, keep_default_na=False)
    assert set(coverage["role"]) == {""} and set(coverage["site"]) == {""}
    # limits sentences: "k of the n mentored young people measured at baseline" only with an n the table shows
    import re

    for site in ("easton", "northshire", "westbury"):
        attrition = pd.read_csv(shared_demo_run / site / "attrition.csv", dtype=str)
        shown = set(attrition.loc[attrition["group"] == "mentored", "n_baseline"]) - {"c"}
        html = (shared_demo_run / site / "06_site_report.html").read_text(encoding="utf-8")
        stated = set(re.findall(r"\d+ of the (\d+) mentored young people measured at baseline", html))
        assert stated <= shown, (site, stated - shown)
    assert audit_run(shared_demo_run, identifiers=False).empty


def test_k_of_n_leaving_out_a_few_people_is_a_small_count_too(tmp_path):
    # "18 of the 23 ... measured again": the 5 not measured again are a count from 1 to 5, as in Westbury's
    # demo report before the limits took their numbers from the published attrition table
    (tmp_path / "report.html").write_text(
        "<p>18 of the 23 mentored young people measured at baseline were measured again.</p>"
        "<p>32 of the 39 mentored young people measured at baseline were measured again.</p>"
        "<p>Raised by mentors (10 of 12).</p><p>2 of the 3 measures tagged to it could be compared.</p>",
        encoding="utf-8")
    found = audit_run(tmp_path, identifiers=False)
    assert found["kind"].tolist() == ["k_of_n", "k_of_n"]  # 23 - 18 = 5 and 12 - 10 = 2; not 39 - 32 = 7
    assert "18 of the 23" in found["text"].iloc[0] and "(10 of 12)" in found["text"].iloc[1]

    from dataclasses import dataclass

    from cm_research.qual.publish import publish_thematic

    @dataclass
    class Result:
        tables: dict

    generated = pd.DataFrame({"theme": ["trust"], "theme_label": ["Trust"], "roles": ["mentor"], "n_roles": [1],
                              "sentence": ["Trust: generated by views of mentors (10 of 12) and carers (20 of 30)."]})
    out = publish_thematic(Result({"themes_generated_by": generated})).tables["themes_generated_by"]
    assert out["sentence"].iloc[0] == "Trust: generated by views of mentors and carers (20 of 30)."
