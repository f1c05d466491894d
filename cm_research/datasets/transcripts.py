"""Seeded generator of a synthetic interview corpus for the thematic-analysis demo.

Twelve invented interviews (mentees, mentors, carers, social workers and a Virtual School Head across the
demo sites Northshire, Easton and Westbury), 1,000-3,000 words each, written for this project. Every file is
named ``synthetic_...``, starts with a SYNTHETIC notice, and the folder holds a SYNTHETIC.txt marker.
Pseudonyms only; mentees' ``Participant ID`` values are mentored ids of the synthetic demo participants.

Because the generator knows which code each answer sentence was written to illustrate, it also writes a
synthetic *human coding* by two coders (``coding/synthetic_coding_two_coders.csv``): "Coder A" codes every
sentence as written; "Coder B" disagrees now and then (drops a code, picks a sibling code in the same
theme, or adds one), so the demo can show agreement statistics. Both are invented, like the interviews.

The interviews vary the transcript conventions the reader supports: ``Interviewer:``/name labels, ``Q:``/``A:``,
``[hh:mm:ss]`` time stamps, one Word (.docx) file and one Windows-1252 text file.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from cm_research.datasets.synthetic import DEMO_SEED

HERE = Path(__file__).resolve().parent
TRANSCRIPTS_DIR = HERE / "data" / "transcripts"
CODING_FILE = "coding/synthetic_coding_two_coders.csv"
NOTICE = ("SYNTHETIC INTERVIEW - invented by cm_research.datasets.transcripts (seed {seed}). "
          "No real person is described; pseudonyms only.")


@dataclass(frozen=True)
class InterviewSpec:
    number: int
    role: str
    site: str
    pseudonym: str
    topics: tuple[str, ...]
    style: str = "names"  # names | qa | timestamps
    fmt: str = "txt"  # txt | docx | cp1252
    about: str = ""  # the mentee (for adults) or mentor (for mentees) they talk about
    art: str = "art"
    date: str = "2024-05-14"

    @property
    def slug(self) -> str:
        return f"synthetic_{self.number:02d}_{self.site.lower()}_{self.role}"


MENTEE_TOPICS = ("start", "match", "trust", "listened", "creative", "activities", "confidence", "school",
                 "feelings", "stigma", "future", "ending")
INTERVIEWS: tuple[InterviewSpec, ...] = (
    InterviewSpec(1, "mentee", "Northshire", "Jade", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:], about="Priya",
                  art="photography", date="2024-05-14"),
    InterviewSpec(2, "mentor", "Northshire", "Priya", ("start", "match", "relationship", "creative", "change",
                                                        "school", "support", "time", "ending"),
                  about="Jade", art="photography", date="2024-05-16"),
    InterviewSpec(3, "carer", "Northshire", "Sandra", ("start", "relationship", "change", "school", "feelings",
                                                        "network", "ending"),
                  fmt="docx", about="Jade", art="photography", date="2024-05-21"),
    InterviewSpec(4, "vsh", "Northshire", "Ruth", ("start", "why", "parent", "partnership", "voice", "network",
                                                    "outcomes", "mentors", "ending", "future"),
                  style="timestamps", date="2024-06-03"),
    InterviewSpec(5, "mentee", "Easton", "Kai", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:9] + MENTEE_TOPICS[10:],
                  style="timestamps", about="Tom", art="music", date="2024-04-09"),
    InterviewSpec(6, "mentee", "Easton", "Amira", MENTEE_TOPICS[:5] + MENTEE_TOPICS[6:], style="qa",
                  about="Tom", art="drama", date="2024-04-11"),
    InterviewSpec(7, "mentor", "Easton", "Tom", ("start", "match", "relationship", "creative", "change", "school",
                                                  "support", "ending"),
                  about="Kai", art="music", date="2024-04-12"),
    InterviewSpec(8, "social_worker", "Easton", "Dele", ("start", "relationship", "change", "school", "voice", "network",
                                                          "stigma", "ending"),
                  fmt="cp1252", about="Amira", art="drama", date="2024-04-18"),
    InterviewSpec(9, "carer", "Easton", "Mick", ("start", "relationship", "change", "school", "feelings", "network",
                                                  "ending"),
                  about="Amira", art="drama", date="2024-04-23"),
    InterviewSpec(10, "mentee", "Westbury", "Tyler", MENTEE_TOPICS[:4] + MENTEE_TOPICS[5:8] + MENTEE_TOPICS[9:],
                  about="Gwen", art="cooking", date="2024-06-11"),
    InterviewSpec(11, "mentor", "Westbury", "Gwen", ("start", "match", "relationship", "activities", "change",
                                                      "careers", "support", "time", "ending"),
                  style="qa", about="Tyler", art="cooking", date="2024-06-12"),
    InterviewSpec(12, "social_worker", "Westbury", "Hannah", ("start", "relationship", "change", "school", "voice",
                                                               "network",
                                                               "stigma", "ending"),
                  about="Tyler", date="2024-06-19"),
)

# ------------------------------------------------------------------------------------------------------- the bank
# The questions and answer sentences live in a data file (datasets/data/interview_bank.yaml), not in code.
BANK_FILE = HERE / "data" / "interview_bank.yaml"


def _load_bank(path: Path = BANK_FILE) -> tuple[dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]],
                                                tuple[str, ...], str, dict[str, tuple[str, ...]], str]:
    """(bank, follow-up questions, closing question, closing answers by role, thanks) from the bank file."""
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    bank = {role: {topic: (tuple(entry["questions"]), tuple(entry["answers"])) for topic, entry in topics.items()}
            for role, topics in doc["bank"].items()}
    closing = {role: tuple(answers) for role, answers in doc["closing_answers"].items()}
    return bank, tuple(doc["follow_ups"]), doc["closing_question"], closing, doc["thanks"]


BANK, FOLLOW_UPS, CLOSING_Q, CLOSING_A, THANKS = _load_bank()


def _mentee_ids() -> dict[str, list[str]]:
    """Mentored participant ids per demo site, in file order (to link mentee interviews to the demo data)."""
    import pandas as pd

    from cm_research.datasets import dataset_path

    out = {}
    for folder in sorted(dataset_path("demo").iterdir()):
        if (folder / "participants.csv").exists():
            p = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
            out[folder.name] = [i for i, g in zip(p["participant_id"], p["group"]) if g == "mentored"]
    return out


class _Writer:
    """Builds a transcript line by line and records the offsets of every coded sentence."""

    def __init__(self, spec: InterviewSpec, rng: random.Random):
        self.spec, self.rng = spec, rng
        self.text = ""
        self.codes: list[tuple[int, int, str]] = []  # (start, end, code) as Coder A would code them
        self.uncoded: list[tuple[int, int]] = []
        self.seconds = 0

    def line(self, text: str = "") -> None:
        self.text += text + "\n"

    def _label(self, who: str) -> str:
        s = self.spec
        if s.style == "qa":
            return "Q: " if who == "interviewer" else "A: "
        name = "Interviewer" if who == "interviewer" else s.pseudonym
        if s.style == "timestamps":
            h, rem = divmod(self.seconds, 3600)
            m, sec = divmod(rem, 60)
            return f"[{h:02d}:{m:02d}:{sec:02d}] {name}: "
        return f"{name}: "

    def turn(self, who: str, sentences: list[str]) -> None:
        """One turn; ``sentences`` are "code|text" for the participant, plain text for the interviewer."""
        self.text += self._label(who)
        for k, item in enumerate(sentences):
            code, sentence = item.split("|", 1) if who == "participant" else ("-", item)
            sentence = sentence.format(about=self.spec.about, art=self.spec.art)
            sentence = sentence[0].upper() + sentence[1:]
            if k:
                self.text += " "
            start = len(self.text)
            self.text += sentence
            if who == "participant":
                if code == "-":
                    self.uncoded.append((start, len(self.text)))
                for one in code.split("+") if code != "-" else ():
                    self.codes.append((start, len(self.text), one))
            self.seconds += 1 + len(sentence.split()) // 3
        self.text += "\n"
        if self.spec.style != "qa" and self.rng.random() < 0.5:
            self.text += "\n"  # some transcribers leave blank lines between turns


def _compose(spec: InterviewSpec, rng: random.Random, participant_id: str, seed: int) -> _Writer:
    w = _Writer(spec, rng)
    w.line(f"# {NOTICE.format(seed=seed)}")
    w.line(f"Pseudonym: {spec.pseudonym}")
    w.line(f"Role: {spec.role.replace('_', ' ')}")
    w.line(f"Site: {spec.site}")
    if participant_id:
        w.line(f"Participant ID: {participant_id}")
    w.line(f"Date: {spec.date}")
    w.line("Interviewer: Interviewer")
    w.line("Synthetic: yes")
    w.line("---")
    w.line()
    bank = BANK[spec.role]
    target = rng.randint(1300, 2300)
    remaining = {topic: list(bank[topic][1]) for topic in spec.topics}

    def take(topic: str, low: int, high: int) -> list[str]:
        """Some of the topic's unused sentences, kept in the order they were written."""
        pool = remaining[topic]
        chosen = set(rng.sample(range(len(pool)), min(len(pool), rng.randint(low, high))))
        remaining[topic] = [x for k, x in enumerate(pool) if k not in chosen]
        return [x for k, x in enumerate(pool) if k in chosen]

    for topic in spec.topics:  # first pass: every topic, in interview order
        questions = bank[topic][0]
        q = questions[0] if rng.random() < 0.6 else questions[-1]
        w.turn("interviewer", [q.format(about=spec.about, art=spec.art)])
        w.turn("participant", take(topic, 3, 5))
        if remaining[topic] and rng.random() < 0.5:
            w.turn("interviewer", [rng.choice(FOLLOW_UPS)])
            w.turn("participant", take(topic, 1, 2))
    while len(w.text.split()) < target and any(remaining.values()):  # then back to topics not exhausted
        topic = rng.choice([t for t in spec.topics if remaining[t]])
        question = bank[topic][0][-1].format(about=spec.about, art=spec.art)
        w.turn("interviewer", [f"Going back to something you said earlier. {question}" if rng.random() < 0.5
                               else rng.choice(FOLLOW_UPS)])
        w.turn("participant", take(topic, 1, 3))
    w.turn("interviewer", [CLOSING_Q])
    w.turn("participant", list(CLOSING_A[spec.role]))
    w.turn("interviewer", [THANKS])
    return w


def _coder_b(codes: list[tuple[int, int, str]], uncoded: list[tuple[int, int]], rng: random.Random,
             siblings: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    out = []
    for start, end, code in codes:
        u = rng.random()
        if u < 0.10:
            continue  # missed
        if u < 0.20 and len(siblings[code]) > 1:
            out.append((start, end, rng.choice([c for c in siblings[code] if c != code])))
            continue
        out.append((start, end, code))
    all_codes = sorted(siblings)
    for start, end in uncoded:
        if rng.random() < 0.05:
            out.append((start, end, rng.choice(all_codes)))
    return out


def _write_docx(path: Path, text: str) -> None:
    import docx  # python-docx

    document = docx.Document()
    for line in text.rstrip("\n").split("\n"):
        document.add_paragraph(line)
    document.save(str(path))


def write_transcripts(folder: str | Path = TRANSCRIPTS_DIR, seed: int = DEMO_SEED) -> Path:
    """Write the twelve synthetic interviews, SYNTHETIC.txt and the two-coder coding file into ``folder``."""
    from cm_research.qual.codebook import load_codebook

    folder = Path(folder)
    (folder / "coding").mkdir(parents=True, exist_ok=True)
    codebook = load_codebook()
    siblings = {c.name: [x.name for x in codebook.theme(c.theme).codes] for c in codebook.codes}
    ids = _mentee_ids()
    used: dict[str, int] = {}
    rows = []
    for spec in INTERVIEWS:
        rng = random.Random(seed * 100 + spec.number)
        pid = ""
        if spec.role == "mentee":
            site_ids = ids.get(spec.site.lower(), [])
            k = used.get(spec.site, 0)
            pid = site_ids[k] if k < len(site_ids) else ""
            used[spec.site] = k + 1
        w = _compose(spec, rng, pid, seed)
        if spec.fmt == "docx":
            path = folder / f"{spec.slug}.docx"
            _write_docx(path, w.text)
        elif spec.fmt == "cp1252":
            path = folder / f"{spec.slug}.txt"
            path.write_bytes(w.text.replace("\n", "\r\n").encode("cp1252"))
            # offsets count characters of the decoded text, where each newline is "\r\n"
            shift = _crlf_shift(w.text)
            w.codes = [(shift(s), shift(e), c) for s, e, c in w.codes]
            w.uncoded = [(shift(s), shift(e)) for s, e in w.uncoded]
        else:
            path = folder / f"{spec.slug}.txt"
            path.write_text(w.text, encoding="utf-8", newline="\n")
        decoded = w.text.replace("\n", "\r\n") if spec.fmt == "cp1252" else w.text
        for coder, codes in (("Coder A", w.codes),
                             ("Coder B", _coder_b(w.codes, w.uncoded, random.Random(seed + spec.number), siblings))):
            for start, end, code in codes:
                rows.append({"transcript": path.name, "start": start, "end": end, "code": code, "coder": coder,
                             "quote": decoded[start:end]})
    with open(folder / CODING_FILE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["transcript", "start", "end", "code", "coder", "quote"])
        writer.writeheader()
        writer.writerows(rows)
    (folder / "SYNTHETIC.txt").write_text(
        f"SYNTHETIC DATA - generated by cm_research.datasets.transcripts (seed {seed}).\n"
        "Every interview here was invented for the cm_research demo. No real person is described;\n"
        "names are pseudonyms and the two 'coders' in coding/ are simulated.\n", encoding="utf-8")
    return folder


def _crlf_shift(text: str):
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def shift(offset: int) -> int:
        import bisect

        return offset + bisect.bisect_left(newlines, offset)

    return shift


def transcripts_dir() -> Path:
    """The bundled synthetic transcripts folder, regenerated from its seed if files are missing."""
    expected = [TRANSCRIPTS_DIR / f"{s.slug}.{'docx' if s.fmt == 'docx' else 'txt'}" for s in INTERVIEWS]
    if not all(p.exists() for p in expected) or not (TRANSCRIPTS_DIR / CODING_FILE).exists():
        write_transcripts(TRANSCRIPTS_DIR)
    return TRANSCRIPTS_DIR


def demo_coding_file() -> Path:
    """The synthetic two-coder coding CSV of the demo transcripts."""
    return transcripts_dir() / CODING_FILE
