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
