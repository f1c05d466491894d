"""Scale scores and reliability of survey items: reverse keying, the 80% rule, alpha as psych::alpha computes it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cm_research.measures.reliability import cronbach_alpha
from cm_research.surveys import SurveyDataError, item_matrix, scale_reliability, scale_scores

CATALOGUE = pd.DataFrame({"item": ["a", "b", "c", "d"], "scale": ["barriers"] * 4,
                          "reverse_scored": [False, False, True, False]})


def _survey(seed: int = 3, n: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long answers and the wide, already reverse-keyed matrix they come from (built independently)."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    keyed = pd.DataFrame({i: np.clip(np.round(3 + trait + rng.normal(0, 0.9, n)), 1, 5) for i in "abcd"})
    raw = keyed.copy()
    raw["c"] = 6 - keyed["c"]  # as respondents answered the reverse-worded statement
    rows = [(f"p{k}", "baseline", item, raw.at[k, item]) for k in range(n) for item in "abcd"]
    data = pd.DataFrame(rows, columns=["respondent_id", "wave", "item", "response"])
    return data, keyed


def test_item_matrix_reverses_the_reverse_scored_items():
    data, keyed = _survey()
    matrix = item_matrix(data, CATALOGUE, "barriers", "baseline")
    np.testing.assert_array_equal(matrix.loc[[f"p{k}" for k in range(len(keyed))]].to_numpy(), keyed.to_numpy())


def test_reliability_is_the_measures_module_on_the_keyed_items():
    data, keyed = _survey()
    out = scale_reliability(data, CATALOGUE, "barriers", n_boot=50)
    alpha = out[out["method"].str.startswith("Cronbach")].iloc[0]
    direct = cronbach_alpha(keyed).iloc[0]
    assert alpha["estimate"] == pytest.approx(direct["estimate"], rel=1e-12)
    assert (alpha["ci_low"], alpha["ci_high"]) == (pytest.approx(direct["ci_low"]), pytest.approx(direct["ci_high"]))
    assert set(out["wave"]) == {"baseline"} and set(out["measure"]) == {"barriers"}
    assert out["method"].str.startswith("McDonald").sum() == 1


@pytest.mark.r
def test_alpha_matches_psych_alpha(r_run):
    data, keyed = _survey(seed=11, n=30)
    ref = r_run(
        """
        suppressMessages(library(psych))
        a <- psych::alpha(keyed, check.keys = FALSE, warnings = FALSE)
        write.csv(data.frame(alpha = a$total$raw_alpha), stdout(), row.names = FALSE)
        """,
        {"keyed": keyed},
    ).iloc[0]
    out = scale_reliability(data, CATALOGUE, "barriers", n_boot=50)
    assert out.loc[out["method"].str.startswith("Cronbach"), "estimate"].iloc[0] == pytest.approx(ref["alpha"], rel=1e-9)


def test_scale_score_is_the_keyed_mean_when_80_percent_answered():
    data = pd.DataFrame({
        "respondent_id": ["x"] * 4 + ["y"] * 4,
        "wave": ["end"] * 8,
        "item": list("abcd") * 2,
        "response": [2, 4, 1, 3, 5, None, None, 5],  # y answered 2 of 4: below 80%
    })
    out = scale_scores(data, CATALOGUE, "barriers").set_index("respondent_id")
    assert out.loc["x", "score"] == pytest.approx((2 + 4 + (6 - 1) + 3) / 4)
    assert out.loc["x", "n_answered"] == 4 and np.isnan(out.loc["y", "score"])


def test_unknown_scale_names_the_known_ones():
    data, _ = _survey()
    with pytest.raises(SurveyDataError, match="on scale 'wellbeing'; scales there: barriers"):
        scale_reliability(data, CATALOGUE, "wellbeing")
