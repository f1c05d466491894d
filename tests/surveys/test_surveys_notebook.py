"""07_action_research.ipynb runs under papermill on the bundled synthetic partnership; what it wrote is checked
against counts made here from the raw CSV files, without cm_research."""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import nbformat
import pandas as pd
import pytest

from cm_research.batch import run_notebook
from cm_research.datasets.action_research import partnership_dir

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("action_research")
    ipynb = run_notebook("07_action_research", out / "07_action_research.ipynb", {"output_dir": str(out), "n_boot": 50})
    return out, ipynb


def _raw_answers() -> dict[tuple[str, str], dict[str, int]]:
    """(wave, item) -> {respondent: answer}, read with the csv module."""
    answers: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    with open(partnership_dir() / "survey_responses.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["response"]:
                answers[(row["wave"], row["item"])][row["respondent_id"]] = int(row["response"])
    return answers


def test_item_table_and_change_match_counts_from_the_raw_file(run):
    out, _ = run
    answers = _raw_answers()
    summary = pd.read_csv(out / "survey_items_summary.csv", dtype=str)
    assert len(summary) == 20  # 10 items at 2 waves

    def hidden_rightly(shown: list[str], truth: list[int]) -> bool:
        """A row's suppression (issue 15): a c is a count from 1 to 5 or hides one (secondary: never a lone c)."""
        hidden = [t for s, t in zip(shown, truth) if s == "c"]
        return not hidden or (len(hidden) >= 2 and any(1 <= t <= 5 for t in hidden))

    for r in summary.itertuples():
        values = list(answers[(r.wave, r.item)].values())
        assert r.n in (str(len(values)), "c")
        if r.n == "c":  # hidden only so that respondents - n - don't know cannot give back a few missing answers
            assert len(values) > 5 and "c" in (r.n_dont_know, r.n_missing)
            assert {r.pct_disagree, r.pct_neutral, r.pct_agree} == {"c"}  # percentages of a hidden n
            continue
        # n + don't know + missing is the wave's respondents (published): never one c alone among them
        assert [r.n, r.n_dont_know, r.n_missing].count("c") != 1, (r.wave, r.item)
        counts = [sum(v <= 2 for v in values), sum(v == 3 for v in values), sum(v >= 4 for v in values)]
        shown = [r.pct_disagree, r.pct_neutral, r.pct_agree]
        assert hidden_rightly(shown, counts), (r.wave, r.item)
        for pct, k in zip(shown, counts):
            if pct != "c":
                assert float(pct) == pytest.approx(100 * k / len(values))
                assert not 1 <= k <= 5
    change = pd.read_csv(out / "survey_change.csv", dtype=str)
    for r in change.itertuples():
        before, after = answers[("baseline", r.item)], answers[("end", r.item)]
        both = set(before) & set(after)
        assert r.n_pairs == str(len(both))
        truth = [sum(after[p] > before[p] for p in both), sum(after[p] == before[p] for p in both),
                 sum(after[p] < before[p] for p in both)]
        shown = [r.n_higher, r.n_same, r.n_lower]
        assert hidden_rightly(shown, truth) and all(s in ("c", str(t)) for s, t in zip(shown, truth))
    reliability = pd.read_csv(out / "survey_reliability.csv")
    assert set(reliability["wave"]) == {"baseline", "end"} and len(reliability) == 4
    assert reliability.loc[reliability["method"].str.startswith("Cronbach"), "estimate"].between(0, 1).all()


def test_published_counts_are_suppressed_and_codes_are_suggestions(run):
    out, _ = run
    codes = pd.read_csv(out / "comment_codes_by_role.csv", dtype=str)
    cells = codes[["young people", "adults", "all respondents"]].to_numpy().ravel()
    assert "c" in set(cells)
    assert all(v == "c" or v == "0" or int(v) > 5 for v in cells)
    who = pd.read_csv(out / "survey_respondents.csv", dtype=str)
    assert all(v == "c" or v == "0" or int(v) > 5 for v in who.drop(columns="role").to_numpy().ravel())
    review = pd.read_csv(out / "restricted" / "comment_suggestions_for_review.csv", keep_default_na=False)
    assert set(review["status"]) == {"suggested - not reviewed"} and set(review["decision"]) == {""}
    assert (out / "likert_bars.png").stat().st_size > 20_000
    assert (out / "barriers_codebook.md").read_text(encoding="utf-8").startswith("# Barriers to arts and culture")


def test_report_shows_the_cycle_and_no_identifiers(run):
    out, ipynb = run
    html = (out / "07_action_research.html").read_text(encoding="utf-8")
    assert "Synthetic data." in html
    assert "Free ticket scheme started with two venues" in html and "Next cycle." in html
    assert "suggested codes for the analyst to review" in html and "Reflection prompts" in html
    assert "load_survey(" not in html, "code cells must be hidden"
    assert not re.search(r"SYN-EAP-\d{3}", html), "a respondent id leaked into the report"
    assert "07700" not in html and "Jordan" not in html
    for csv_file in out.glob("*.csv"):
        assert "respondent_id" not in csv_file.read_text(encoding="utf-8").split("\n")[0], csv_file.name
    executed = nbformat.read(ipynb, as_version=4)
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
