"""A transcripts folder of far more files than any evaluation has (hostile input, round 4, item 4): refused at
once, naming the folder, before a file is read (2,000 tiny files took 5.6 s, so 100,000 would take about five
minutes). The limit is lowered in the test. SYNTHETIC files.
"""

from __future__ import annotations

import pytest

from cm_research.qual import transcripts as transcripts_module
from cm_research.qual.errors import TranscriptError
from cm_research.qual.transcripts import read_transcripts


def test_a_folder_of_too_many_interviews_is_refused_before_any_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "interviews"
    folder.mkdir()
    for i in range(4):
        (folder / f"t{i}.txt").write_text(f"Pseudonym: K{i}\nRole: mentee\nSite: X\n---\nK{i}: hello\n")
    assert len(read_transcripts(folder).transcripts) == 4
    monkeypatch.setattr(transcripts_module, "MAX_TRANSCRIPT_FILES", 3)
    read = []
    monkeypatch.setattr(transcripts_module, "read_transcript", lambda *a, **k: read.append(a))
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(folder)
    message = caught.value.problems["message"].iloc[0]
    assert "4 interview files" in message and caught.value.problems["file"].iloc[0] == "interviews" and not read


def test_an_interview_of_millions_of_tiny_sentences_is_refused_before_it_is_segmented(tmp_path, monkeypatch):
    # a 5 MB file of "A. A. A. ..." (1.7 million sentences) took 35 s and 8 GB of memory to code before
    path = tmp_path / "t1.txt"
    path.write_text("Pseudonym: Kai\nRole: mentee\nSite: X\n---\nKai: " + "A. " * 300 + "\n")
    assert len(read_transcripts(path).transcripts) == 1
    monkeypatch.setattr(transcripts_module, "MAX_TRANSCRIPT_PIECES", 200)
    with pytest.raises(TranscriptError) as caught:
        read_transcripts(path)
    problem = caught.value.problems.iloc[0]
    assert problem["file"] == "t1.txt" and "about 305 sentences and lines" in problem["message"]


def test_the_bundled_interviews_are_far_below_the_limit():
    from cm_research.datasets.transcripts import transcripts_dir

    corpus = read_transcripts(transcripts_dir(), errors="report")
    counts = [sum(t.text.count(m) for m in ".!?\u2026\n") for t in corpus.transcripts]
    assert counts and max(counts) < transcripts_module.MAX_TRANSCRIPT_PIECES / 10
