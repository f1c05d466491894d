"""Agreement statistics against hand calculations, Krippendorff's published examples and nltk's AnnotationTask."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask

from cm_research.deprecation import CMResearchDeprecationWarning
from cm_research.qual import (AgreementError, agreement, cohen_kappa, coded_segments, krippendorff_alpha,
                              load_codebook, nominal_alpha, percent_agreement, read_coding, read_transcripts)
from cm_research.qual.agreement import OVERALL, _cohen_kappa, _percent_agreement


def _alpha(data: pd.DataFrame) -> float:
    """The estimate of the one-row nominal_alpha table (checking it is one row in the house column order)."""
    res = nominal_alpha(data)
    assert list(res.columns) == ["method", "n_units", "n_coders", "n_values", "estimate", "note"]
    assert len(res) == 1
    return float(res.loc[0, "estimate"])


def test_cohen_kappa_hand_calculation():
    # 50 units: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    # p_o = (20 + 15) / 50 = 0.70; coder a says yes 25/50, coder b 30/50;
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert _cohen_kappa(a, b) == pytest.approx(0.40, abs=1e-12)
    assert _percent_agreement(a, b) == pytest.approx(70.0)  # 35 of 50 agree
    assert math.isnan(_cohen_kappa([1, 1, 1], [1, 1, 1]))  # p_e = 1: undefined
    with pytest.raises(ValueError):
        _cohen_kappa([1, 0], [1])
    # the old public name: same number, with a warning pointing to the tidy agreement() table
    with pytest.warns(CMResearchDeprecationWarning, match="agreement"):
        assert cohen_kappa(a, b) == pytest.approx(0.40, abs=1e-12)
    with pytest.warns(CMResearchDeprecationWarning, match="agreement"):
        old = percent_agreement(a, b)
    assert isinstance(old, float) and old == pytest.approx(70.0)


def test_krippendorff_alpha_published_examples():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": binary data, two observers -> 0.095
    c = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    k = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    tidy = pd.DataFrame({"unit": list(range(10)) * 2, "coder": ["c"] * 10 + ["k"] * 10, "value": c + k})
    assert _alpha(tidy) == pytest.approx(0.095, abs=5e-4)
    # by hand from the coincidence matrix: o_01 = 4, n_0 = 14, n_1 = 6, n = 20: 1 - 19 * 4 / (14 * 6)
    assert _alpha(tidy) == pytest.approx(1 - 19 * 4 / (14 * 6), abs=1e-12)
    # ... nominal data, four observers, missing values -> 0.743
    nan = np.nan
    data = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]}
    tidy = pd.DataFrame([(coder, u, v) for coder, vals in data.items() for u, v in enumerate(vals)],
                        columns=["coder", "unit", "value"])
    assert _alpha(tidy) == pytest.approx(0.743, abs=5e-4)
    # the counts of the four-observer example: units 0-10 have two or more values (unit 11 has one),
    # and 3+4+4+4+4+4+4+4+4+3+2 = 40 pairable values (Krippendorff's n = 40) from 4 coders
    res = nominal_alpha(tidy)
    assert (int(res.loc[0, "n_units"]), int(res.loc[0, "n_coders"]), int(res.loc[0, "n_values"])) == (11, 4, 40)
    assert res.loc[0, "note"] == ""
    single = nominal_alpha(pd.DataFrame({"unit": [0, 0], "coder": ["a", "b"], "value": [1, 1]}))
    assert math.isnan(single.loc[0, "estimate"]) and "undefined" in single.loc[0, "note"]
    unpaired = nominal_alpha(pd.DataFrame({"unit": [0, 1], "coder": ["a", "b"], "value": [1, 2]}))
    assert math.isnan(unpaired.loc[0, "estimate"]) and int(unpaired.loc[0, "n_units"]) == 0
    assert "two coders" in unpaired.loc[0, "note"]
    with pytest.raises(ValueError, match="`value`"):
        nominal_alpha(pd.DataFrame({"unit": [0], "coder": ["a"]}))
    # the old public name: the same float, with a warning pointing to nominal_alpha()
    with pytest.warns(CMResearchDeprecationWarning, match="nominal_alpha"):
        old = krippendorff_alpha(tidy)
    assert isinstance(old, float) and old == pytest.approx(0.743, abs=5e-4)




@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_and_alpha_match_nltk_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 3, 200))
    task = AnnotationTask([("a", i, int(x)) for i, x in enumerate(a)] + [("b", i, int(x)) for i, x in enumerate(b)])
    tidy = pd.DataFrame({"unit": np.r_[np.arange(200), np.arange(200)], "coder": ["a"] * 200 + ["b"] * 200,
                         "value": np.r_[a, b]})
    assert _cohen_kappa(a, b) == pytest.approx(task.kappa(), abs=1e-12)
    assert _alpha(tidy) == pytest.approx(task.alpha(), abs=1e-12)


@pytest.fixture(scope="module")
def demo():
    from cm_research.datasets.transcripts import demo_coding_file, transcripts_dir

    corpus = read_transcripts(transcripts_dir())
    coding = read_coding(demo_coding_file(), corpus, load_codebook())
    segments = corpus.segments()
    return segments, coded_segments(coding, segments)


def _nltk_task(coded, units, codes=None):
    triples = []
    for coder in ("Coder A", "Coder B"):
        mine = coded[coded["coder"] == coder]
        applied = set(zip(mine["segment_id"], mine["code"]))
        for u in units:
            for c in codes:
                triples.append((coder, (u, c), int((u, c) in applied)))
    return AnnotationTask(triples)


def test_agreement_table_matches_nltk_on_the_demo_coding(demo):
    segments, coded = demo
    table = agreement(coded, segments)
    assert table.attrs["coder_a"] == "Coder A" and table.attrs["n_transcripts"] == 12
    units = segments.loc[~segments["is_interviewer"], "segment_id"].tolist()
    assert table.attrs["n_units"] == len(units)
    by_code = table.set_index("code")
    for code in ["trust_and_openness", "voice_in_decisions", "planned_endings"]:
        task = _nltk_task(coded, units, [code])
        assert by_code.loc[code, "kappa"] == pytest.approx(task.kappa(), abs=1e-12)
        assert by_code.loc[code, "alpha"] == pytest.approx(task.alpha(), abs=1e-12)
        assert by_code.loc[code, "pct_agreement"] == pytest.approx(100 * task.avg_Ao(), abs=1e-9)
    codes = [c for c in table["code"] if c != OVERALL]
    pooled = _nltk_task(coded, units, codes)
    assert by_code.loc[OVERALL, "kappa"] == pytest.approx(pooled.kappa(), abs=1e-12)
    assert by_code.loc[OVERALL, "alpha"] == pytest.approx(pooled.alpha(), abs=1e-12)
    counts = by_code.loc[codes, ["both", "a_only", "b_only", "neither"]].sum(axis=1)
    assert (counts == len(units)).all()


def test_agreement_needs_two_coders_and_a_shared_transcript(demo):
    segments, coded = demo
    with pytest.raises(AgreementError, match="exactly two coders; the coding has 1"):
        agreement(coded[coded["coder"] == "Coder A"], segments)
    split = coded[((coded["coder"] == "Coder A") & coded["transcript"].str.contains("_0[1-6]_"))
                  | ((coded["coder"] == "Coder B") & ~coded["transcript"].str.contains("_0[1-6]_"))]
    with pytest.raises(AgreementError, match="no transcript was coded by both"):
        agreement(split, segments)


def test_a_code_neither_coder_used_is_explained():
    segments = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "transcript": "t", "is_interviewer": False})
    coded = pd.DataFrame({"segment_id": ["s1", "s1"], "transcript": "t", "code": ["x", "x"],
                          "coder": ["A", "B"]})
    table = agreement(coded, segments, codes=["x", "y"]).set_index("code")
    assert table.loc["y", "pct_agreement"] == 100.0 and math.isnan(table.loc["y", "kappa"])
    assert "neither coder used this code" in table.loc["y", "note"]
    assert table.loc["x", "kappa"] == 1.0
