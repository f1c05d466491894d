"""The bundled synthetic interview corpus: shape, labelling, offsets of its coding, and reproducibility."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from cm_research.datasets.transcripts import CODING_FILE, INTERVIEWS, transcripts_dir, write_transcripts
from cm_research.qual import read_transcripts


@pytest.fixture(scope="module")
def corpus():
    return read_transcripts(transcripts_dir())


def test_twelve_synthetic_interviews_across_roles_and_sites(corpus):
    folder = transcripts_dir()
    assert (folder / "SYNTHETIC.txt").read_text().startswith("SYNTHETIC DATA")
    assert len(corpus) == 12 and corpus.problems.empty
    assert all(t.path.name.startswith("synthetic_") and t.synthetic for t in corpus.transcripts)
    assert all(t.notes[0].startswith("SYNTHETIC INTERVIEW") for t in corpus.transcripts)
    assert Counter(t.role for t in corpus.transcripts) == {"mentee": 4, "mentor": 3, "carer": 2, "social_worker": 2,
                                                           "vsh": 1}
    assert {t.site for t in corpus.transcripts} == {"Northshire", "Easton", "Westbury"}
    assert {t.encoding for t in corpus.transcripts} == {"utf-8", "cp1252", "docx"}
    for t in corpus.transcripts:
        words = len(re.findall(r"\S+", t.text))
        assert 1000 <= words <= 3000, (t.transcript, words)


def test_mentee_ids_are_mentored_demo_participants(corpus):
    from cm_research.datasets import load_dataset

    participants = load_dataset("demo")["participants"].set_index("participant_id")
    mentees = [t for t in corpus.transcripts if t.role == "mentee"]
    for t in mentees:
        assert re.fullmatch(r"SYN-(NS|EA|WB)-\d{4}", t.participant_id)
        assert participants.loc[t.participant_id, "group"] == "mentored"
        assert participants.loc[t.participant_id, "site"] == t.site
    assert all(t.participant_id == "" for t in corpus.transcripts if t.role != "mentee")


def test_every_coded_span_round_trips_and_is_one_participant_sentence(corpus):
    with open(transcripts_dir() / CODING_FILE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["coder"] for r in rows} == {"Coder A", "Coder B"}
    segments = corpus.segments()
    sentence_spans = set(zip(segments["transcript"], segments["start"], segments["end"]))
    for r in rows:
        name = Path(r["transcript"]).stem
        start, end = int(r["start"]), int(r["end"])
        assert corpus.text(name)[start:end] == r["quote"]
        assert (name, start, end) in sentence_spans
        owner = [turn.kind for turn in corpus[name].turns if turn.start <= start and end <= turn.end]
        assert owner == ["participant"]


def test_the_generator_is_reproducible(tmp_path, corpus):
    write_transcripts(tmp_path)
    for spec in INTERVIEWS:
        if spec.fmt == "docx":
            again = read_transcripts([tmp_path / f"{spec.slug}.docx"]).transcripts[0].text
            assert again == corpus[spec.slug].text
        else:
            name = f"{spec.slug}.txt"
            assert (tmp_path / name).read_bytes() == (transcripts_dir() / name).read_bytes(), name
    assert (tmp_path / CODING_FILE).read_bytes() == (transcripts_dir() / CODING_FILE).read_bytes()
    assert set(pd.read_csv(tmp_path / CODING_FILE)["coder"]) == {"Coder A", "Coder B"}
