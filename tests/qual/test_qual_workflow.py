"""The one-call analysis: one site of the demo with its human coding, and folders it cannot use."""

from __future__ import annotations

import pytest

from cm_research.datasets.transcripts import demo_coding_file, transcripts_dir
from cm_research.qual import TranscriptError
from cm_research.qual.workflow import SUGGESTED_BASIS, run_thematic_analysis, write_outputs


def test_one_site_with_the_demo_coding(tmp_path):
    result = run_thematic_analysis(transcripts_dir(), coding=demo_coding_file(), site="easton", coder="Coder B")
    assert {t.site for t in result.corpus.transcripts} == {"Easton"}
    assert set(result.coded["coder"]) == {"Coder B"} and result.basis.startswith("human coding by Coder B")
    assert set(result.coded["transcript"]) <= {t.transcript for t in result.corpus.transcripts}
    assert result.tables["agreement"].attrs["n_transcripts"] == 5
    matrix = result.tables["theme_role_matrix"]
    assert dict(zip(matrix["role"], matrix["n_role_participants"])) == {"mentee": 2, "mentor": 1, "carer": 1,
                                                                        "social_worker": 1}
    paths = write_outputs(result, tmp_path)
    assert paths["basis"].read_text().startswith("Counts rest on: human coding by Coder B")
    quotes = result.tables["quotes"]
    assert all("[name]" in d or d == q for d, q in zip(quotes["quote_display"], quotes["quote"]))
    assert not any(n in d for d in quotes["quote_display"] for n in ("Kai", "Amira", "Tom", "Dele", "Mick"))


def test_suggestions_only_says_so(tmp_path):
    result = run_thematic_analysis(transcripts_dir(), site="Westbury")
    assert result.from_suggestions and result.basis == SUGGESTED_BASIS
    assert "agreement" not in result.tables


def test_unusable_folders(tmp_path, write_transcript):
    with pytest.raises(TranscriptError, match="no transcripts"):
        run_thematic_analysis(tmp_path)
    write_transcript("bad.txt", b"")
    with pytest.raises(TranscriptError, match=r"bad\.txt: the file is empty"):
        run_thematic_analysis(tmp_path)
    with pytest.raises(ValueError, match="no transcripts from site 'Nowhere'"):
        run_thematic_analysis(transcripts_dir(), site="Nowhere")
    with pytest.raises(ValueError, match="unknown role 'uncle'"):
        run_thematic_analysis(transcripts_dir(), roles=["uncle"])
