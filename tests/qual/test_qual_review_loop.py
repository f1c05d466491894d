"""The analyst's review loop: suggestions_for_review.csv, decisions honoured, --coder, every bad row named."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.cli import build_parser
from cm_research.datasets.transcripts import transcripts_dir
from cm_research.qual import CodingImportError, load_codebook, read_coding, read_transcripts
from cm_research.qual.workflow import run_thematic_analysis, write_outputs


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    """The review sheet of one demo site, as `thematic` writes it."""
    out = tmp_path_factory.mktemp("review")
    result = run_thematic_analysis(transcripts_dir(), site="easton")
    path = write_outputs(result, out)["suggestions_for_review"]
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _reviewed(review: pd.DataFrame, tmp_path, coder_column: bool = True, decisions=None):
    sheet = review.copy()
    sheet["decision"] = decisions if decisions is not None else ["accept" if i % 2 == 0 else "reject"
                                                                   for i in range(len(sheet))]
    if coder_column:
        sheet["coder"] = "analyst"
    path = tmp_path / "reviewed.csv"
    sheet.to_csv(path, index=False)
    return path, sheet


def test_rejected_rows_are_never_counted(review, tmp_path):
    path, sheet = _reviewed(review, tmp_path)
    accepted = sheet[sheet["decision"] == "accept"]
    assert len(accepted) >= 5 and len(sheet) - len(accepted) >= 5
    result = run_thematic_analysis(transcripts_dir(), coding=path, site="easton")
    # every accepted row is one (segment, code) of the coding, and nothing else is
    assert sorted(zip(result.coded["segment_id"], result.coded["code"])) == sorted(
        zip(accepted["segment_id"], accepted["code"]))
    assert set(result.coded["coder"]) == {"analyst"}
    assert result.basis == (f"human coding by analyst ({len(accepted)} reviewed suggestions accepted; "
                            f"{len(sheet) - len(accepted)} rejected are not counted)")


def test_undecided_rows_are_not_counted_and_said(review, tmp_path):
    decisions = ["yes", "no"] + [""] * (len(review) - 2)
    path, _ = _reviewed(review, tmp_path, decisions=decisions)
    corpus = read_transcripts(transcripts_dir())
    with pytest.warns(UserWarning, match=rf"{len(review) - 2} rows have no decision \(rows 4, 5, "):
        coding = read_coding(path, corpus, load_codebook())
    assert len(coding) == 1 and coding.attrs["review"] == {"n_accept": 1, "n_reject": 1,
                                                           "n_undecided": len(review) - 2}


def test_unknown_decisions_are_refused_with_their_rows(review, tmp_path):
    decisions = ["accept"] * len(review)
    decisions[1], decisions[5] = "maybe", "acept"
    path, _ = _reviewed(review, tmp_path, decisions=decisions)
    with pytest.raises(CodingImportError) as err:
        read_coding(path, read_transcripts(transcripts_dir()), load_codebook())
    assert list(err.value.problems["line"]) == [3, 7]
    assert "reviewed.csv, line 3, column `decision`: decision 'maybe' is not accept or reject" in str(err.value)
    all_rejected, _ = _reviewed(review, tmp_path, decisions=["reject"] * len(review))
    with pytest.raises(CodingImportError, match="no row is accepted"):
        read_coding(all_rejected, read_transcripts(transcripts_dir()), load_codebook())


def test_coder_option_names_the_coder_of_a_file_without_one(review, tmp_path):
    path, sheet = _reviewed(review, tmp_path, coder_column=False)
    result = run_thematic_analysis(transcripts_dir(), coding=path, site="easton", coder="Dana")
    assert set(result.coded["coder"]) == {"Dana"} and result.basis.startswith("human coding by Dana (")
    own = tmp_path / "own.csv"
    sheet.loc[:, ["transcript", "start", "end", "code"]].head(3).to_csv(own, index=False)
    corpus = read_transcripts(transcripts_dir())
    with pytest.raises(CodingImportError, match="on the command line --coder NAME"):
        read_coding(own, corpus, load_codebook())
    assert set(read_coding(own, corpus, load_codebook(), coder="Dana")["coder"]) == {"Dana"}


def test_the_command_documents_both_csv_layouts_and_the_header():
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices["thematic"]
    text = sub.format_help()
    for needed in ("Pseudonym: Jade", "Role: mentee", "transcript, code, coder", "start and end",
                   "decision column", "rejected and blank rows are never counted", "--coder NAME"):
        assert needed in text, needed
