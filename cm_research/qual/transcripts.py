"""Read interview transcripts (.txt, .docx): a small metadata header, then speaker-labelled turns.

A transcript file looks like this::

    # SYNTHETIC interview, invented for the demo
    Pseudonym: Jade
    Role: mentee
    Site: Easton
    Date: 2024-03-12
    Interviewer: Interviewer
    ---
    Interviewer: Thanks for talking to me. How did you first meet your mentor?
    Jade: We met at school. I was nervous...
    [00:01:23] Interviewer: And after that?

The header is ``Field: value`` lines (``Pseudonym``, ``Role`` and ``Site`` are required; ``Date``,
``Interviewer``, ``Participant ID``, ``Other speakers``, ``Notes`` are optional; lines starting ``#`` are
comments) ended by a line ``---`` or a blank line. ``cm-research import-qda`` adds ``Imported from`` (then
``Role: unknown`` is accepted, for a project that recorded no role) and ``Turns: one per line`` (each non-empty
line is a turn, for sources without speaker labels).

WebVTT (``.vtt``) and SRT (``.srt``) captions, and the name-and-time layout of Teams and Otter exports, are read
too (:mod:`cm_research.qual.transcript_formats`); a ``speakers.csv`` in the folder says who each speaker is, for
files without a header and for joint interviews, where each person's words count under their own role. Each turn starts with a speaker label at the start of a
line, optionally after a time stamp (``[00:01:23]``, ``(01:23)`` or ``00:01:23``); lines without a label
continue the turn above. Labels are recognised by :class:`SpeakerConvention`: the interviewer (``Interviewer``,
``Q``, ``I``, the header's interviewer name), the participant (their pseudonym, their role, ``A``, ``R``,
``P``, ``Participant``) and the header's *other speakers* (kept, and like the interviewer excluded from counts).

Offsets (``start``, ``end``) are character positions in ``Transcript.text``: the decoded file exactly as
read (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or Windows-1252, newlines untouched), or for .docx the text
extracted by :mod:`cm_research.qual.word_docx`. ``text[start:end]`` is always the turn's words, without
the label.

Problems (empty file, no header, unknown role, no speaker labels, an unknown speaker, a different role
speaking, text that cannot be decoded, a control character such as NUL in the text, a caption cue with an
impossible time) raise :class:`TranscriptError` naming the file and line. In a folder, a symbolic link that
leads out of the folder is a problem and is not read.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from cm_research.data.reading import decode_text
from cm_research.data.characters import BIDI_CONTROLS, INVISIBLE, JOINERS, character_name, clean_text, escape_unseen
from cm_research.data.characters import mixed_script_word
from cm_research.data.raw import not_a_regular_file, undecodable
from cm_research.qual.errors import TranscriptError, problems_table
from cm_research.qual.roles import ROLE_ALIASES, accepted_spellings, normalise_role, role_name
from cm_research.qual.transcript_formats import (LEADING_TIME, NAME_TIME_LINE, TEAMS_NOTICE, TEAMS_TIMING_LINE,
                                                  turn_label)

TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".vtt", ".srt"}
#: Formats that look like interviews but cannot be read: reported, never silently passed over.
UNSUPPORTED_SUFFIXES = {".doc", ".rtf", ".odt", ".pdf", ".pages"}
#: The speakers table of a transcripts folder (see :mod:`cm_research.qual.transcript_formats`).
SPEAKERS_FILE = "speakers.csv"
#: Files in a transcripts folder that are notices, not interviews.
NOTICE_NAMES = re.compile(r"^(synthetic|readme|licen[cs]e)(\.[a-z]+)?$", re.IGNORECASE)

HEADER_FIELDS = {
    "pseudonym": "pseudonym", "role": "role", "site": "site", "date": "date", "interviewer": "interviewer",
    "participant id": "participant_id", "participant": "participant_id", "id": "participant_id",
    "other speakers": "other_speakers", "notes": "notes", "note": "notes", "interview": "interview",
    "location": "location", "duration": "duration", "synthetic": "synthetic",
    "imported from": "imported_from", "turns": "turns",
}
#: ``Role: unknown`` is accepted for texts imported from QDA software whose role was not recorded there.
UNKNOWN_ROLE = "unknown"
#: ``Turns: one per line``: each non-empty line is the participant's turn (the interviewer's when it starts with
#: an interviewer label); import-qda writes it for sources that have no speaker labels.
ONE_PER_LINE = "one per line"
REQUIRED_FIELDS = ("pseudonym", "role", "site")

_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|={3,}|\*{3,})\s*$")
_HEADER_LINE = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(?P<value>.*?)\s*$")
_DEFAULT_LABEL = re.compile(
    r"^[ \t]*(?:[\[(](?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])][ \t]*"
    r"|(?P<ts2>(?:\d{1,2}:)?\d{1,2}:\d{2})[ \t]+)?"
    r"(?P<label>[^\W_][\w .,'\u2019()/&\u0300-\u036f-]{0,39}?)[ \t]*:(?:[ \t]+|$)"  # accents as combining marks too
)
#: a label shaped like a person's name ("Sam Jones", "Jones, Sam", "Sam Jones (Easton VS)"), which is refused
#: when unknown rather than read as the words of the speaker above
_NAME_LIKE = re.compile(r"^[A-Z][\w'\u2019-]*(?:,? [A-Z][\w'\u2019-]*){0,2}(?: \([^()]{1,30}\))?$")


def _norm(label: str) -> str:
    """A label or name as compared: NFC (an accent typed as a combining mark is the accented letter), without
    invisible characters, spaces squashed, lower case."""
    label = unicodedata.normalize("NFC", "".join(c for c in label if c not in INVISIBLE and c not in JOINERS))
    return re.sub(r"\s+", " ", label.strip().strip(".").lower())


def _unseen_label(line: str, labels: "_Labels", convention: "SpeakerConvention") -> str | None:
    """A problem when ``line`` starts with a speaker's label only once characters a person cannot see are taken
    out (``Ja\u200bde:``); read as it is, the line would silently join the turn above, the participant's words
    counted as the interviewer's."""
    shown = "".join(c for c in line if c not in INVISIBLE and c not in JOINERS and c not in BIDI_CONTROLS)
    if shown == line:
        return None
    m = convention.label_pattern.match(shown) or NAME_TIME_LINE.match(shown)
    if not m or labels.classify(m.group("label"))[0] is None:
        return None
    unseen = ", ".join(character_name(c) for c in dict.fromkeys(line) if c not in shown)
    return (f"the speaker label '{escape_unseen(line[:line.find(':') + 1])}' holds {unseen}, which cannot be seen; "
            f"retype the label as '{m.group('label')}:'")


@dataclass(frozen=True)
class SpeakerConvention:
    """Which line prefixes start a turn, and whose turn it is.

    Parameters
    ----------
    interviewer_labels, participant_labels
        Labels (case-insensitive) for the interviewer and the interviewee, in addition to the header's
        interviewer name, the participant's pseudonym and the spellings of their role.
    label_pattern
        A regular expression matched at the start of each line, with a named group ``label`` (and optionally
        ``ts`` for a time stamp); the turn's words start where the match ends.
    """

    interviewer_labels: tuple[str, ...] = ("interviewer", "int", "i", "q", "question", "researcher",
                                           "facilitator", "evaluator")
    participant_labels: tuple[str, ...] = ("a", "answer", "r", "respondent", "p", "participant",
                                           "interviewee")
    label_pattern: re.Pattern = _DEFAULT_LABEL


@dataclass
class Turn:
    """One speaker turn: ``text[start:end]`` is its words (no label); ``line`` is where its label is."""

    index: int
    speaker: str
    kind: str  # "interviewer", "participant" or "other"
    start: int
    end: int
    line: int
    timestamp: str | None = None
    role: str | None = None  # set for a speaker the speakers table names (joint interviews, focus groups)
    participant: str | None = None


@dataclass
class Transcript:
    """One interview: metadata from the header, the decoded text, and its turns."""

    transcript: str
    path: Path
    text: str
    encoding: str
    pseudonym: str
    role: str
    site: str
    date: str = ""
    interviewer: str = ""
    participant_id: str = ""
    other_speakers: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    locations: dict[int, str] = field(default_factory=dict)  # .docx: line -> "paragraph 12"
    body_start: int = 0  # offset in ``text`` where the interview starts (after the header)

    @property
    def participant(self) -> str:
        """A key for the person interviewed (their id if given, else site, role and pseudonym); never shown."""
        return self.participant_id or f"{self.site}|{self.role}|{self.pseudonym}"

    @property
    def synthetic(self) -> bool:
        return any("synthetic" in n.lower() for n in self.notes) or self.meta.get("synthetic", "").lower() in (
            "yes", "true", "1")

    def turns_table(self) -> pd.DataFrame:
        """Tidy turns: transcript, turn, speaker, speaker_kind, line, timestamp, start, end, text."""
        return pd.DataFrame([{
            "transcript": self.transcript, "turn": t.index, "speaker": t.speaker, "speaker_kind": t.kind,
            "line": t.line, "timestamp": t.timestamp, "start": t.start, "end": t.end,
            "text": self.text[t.start:t.end],
        } for t in self.turns])


# ---------------------------------------------------------------------------------------------------------- reading

def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return decode_text(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError.from_problems([{
            "file": path.name, "line": line, "column": "", "value": repr(data[exc.start:exc.start + 1]),
            "message": undecodable(data, exc, "UTF-8 text"),
        }], path.name) from exc


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, offset of the line start, line without its newline)."""
    out, pos, number = [], 0, 1
    for m in _NEWLINE.finditer(text):
        out.append((number, pos, text[pos:m.start()]))
        pos, number = m.end(), number + 1
    if pos < len(text):
        out.append((number, pos, text[pos:]))
    return out


#: control characters, which are no text: NUL, escape, delete, C1 controls (tabs, line breaks, vertical tabs and
#: page breaks, which Word's text exports carry, are layout and allowed)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: bidirectional embeddings, overrides and isolates ("Trojan Source", CVE-2021-42574): a quote holding one reads
#: differently in a report from what was said; right-to-left text needs none of them (its marks, U+200E/U+200F,
#: are allowed)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _control_characters(path: Path, lines, locations) -> list[dict]:
    """A problem for each line holding a control character (a NUL from a damaged file or one saved as UTF-16 and
    read as UTF-8, an escape from a terminal): such a character is no word, would be invisible in a quote and
    breaks exports to QDA programs and Word, so the file is refused, as a data cell holding one is
    (:func:`cm_research.data.characters.clean_text`)."""
    problems = []
    for number, _, line in lines:
        if found := _CONTROL.search(line):
            problems.append(_problem(path, number, (
                f"the line holds the invisible control character {character_name(found.group())} at character "
                f"{found.start() + 1}, which is not text; delete it (or save the file again as UTF-8 text)"),
                escape_unseen(line), locations))
        elif found := _BIDI.search(line):
            problems.append(_problem(path, number, (
                f"the line holds the invisible character {character_name(found.group())} at character "
                f"{found.start() + 1}, which changes the order in which the text is shown, so a quote from it "
                "would not read as it was said; delete it"), escape_unseen(line), locations))
    return problems


def _problem(path: Path, line: int | None, message: str, value: str = "", locations: dict | None = None) -> dict:
    where = (locations or {}).get(line)
    return {"file": path.name, "line": line, "column": "", "value": value[:80],
            "message": f"{message} ({where})" if where else message}


def _parse_header(path: Path, lines, locations) -> tuple[dict[str, str], dict[str, int], list[str], int, list[dict]]:
    """Header fields, the line of each, comment notes, index of the first body line, problems."""
    fields: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    notes: list[str] = []
    problems: list[dict] = []
    i, started = 0, False
    while i < len(lines):
        number, _, line = lines[i]
        stripped = line.strip()
        if stripped.startswith("#"):
            notes.append(stripped.lstrip("#").strip())
            i += 1
            continue
        if not stripped:
            i += 1
            if started:
                break
            continue
        if _SEPARATOR.match(line):
            i += 1
            break
        m = _HEADER_LINE.match(line)
        key = _norm(m.group("key")).replace("_", " ").replace("-", " ") if m else ""
        if not started and (not m or key not in HEADER_FIELDS):
            problems.append(_problem(path, number, (
                "no header: an interview file must start with 'Pseudonym: ...', 'Role: ...' and 'Site: ...' "
                "lines, then a line '---', then the speaker-labelled turns"), line, locations))
            return fields, field_lines, notes, i, problems
        if not m:
            problems.append(_problem(path, number, (
                "header lines must be 'Field: value'; end the header with a line '---' before the interview"),
                line, locations))
            i += 1
            continue
        if key not in HEADER_FIELDS:
            problems.append(_problem(path, number, (
                f"unknown header field {m.group('key')!r}; header fields are Pseudonym, Role, Site, Date, "
                "Interviewer, Participant ID, Other speakers, Notes"), line, locations))
        else:
            value, _, refused = clean_text(m.group("value"))  # invisible characters out, NFC
            if refused is None and (word := mixed_script_word(value)) and HEADER_FIELDS[key] in REQUIRED_FIELDS:
                refused = (f"the word {word!r} mixes Latin letters with look-alike letters of another alphabet, so it "
                           "only looks like what it says; retype it")
            if refused:
                problems.append(_problem(path, number, f"the {m.group('key').strip()} cannot be read: {refused}",
                                         escape_unseen(line), locations))
            fields[HEADER_FIELDS[key]] = value
            field_lines[HEADER_FIELDS[key]] = number
        started = True
        i += 1
    return fields, field_lines, notes, i, problems


@dataclass
class _Labels:
    interviewer: set[str]
    participant: set[str]
    other: set[str]
    role: str
    extra: dict[str, tuple[str, str]] = field(default_factory=dict)  # speaker -> (role, participant key)

    def classify(self, label: str) -> tuple[str | None, str | None]:
        """(kind, problem): kind is interviewer/participant/other, or None when the label is not a speaker."""
        key = _norm(label)
        if key in self.extra:
            return "participant", None
        if key in self.interviewer:
            return "interviewer", None
        if key in self.other:
            return "other", None
        if key in self.participant:
            return "participant", None
        other_role = normalise_role(key)
        if other_role and other_role != self.role:
            return None, (f"speaker {label!r} is a {role_name(other_role)}, but this transcript's header says the "
                          f"participant is a {role_name(self.role)}; one file holds one participant's interview. "
                          f"List other voices in the header ('Other speakers: {label}') or split the file")
        if re.fullmatch(r"(?:unknown )?speaker(?: \d+)?", key):  # Otter, Rev, Teams: the tool could not tell who
            return None, (f"the transcription tool labelled these words {label!r}: it could not tell who spoke. "
                          "Replace the label with the speaker's name, or list the label in speakers.csv with "
                          "their role (speaker, role, participant_id, site, file)")
        if _NAME_LIKE.match(label.strip()):
            return None, (f"unknown speaker {label!r}: known speakers are the interviewer "
                          f"({', '.join(sorted(self.interviewer))}) and the participant "
                          f"({', '.join(sorted(self.participant))}); add 'Other speakers: {label}' to the header "
                          "if someone else spoke")
        return None, None


#: lines a file with no header of ours may carry before its first speaker (Teams: meeting name, date, length),
#: when one of them holds the meeting's date or length (else they may be someone's words, and are refused)
TITLE_BLOCK_LINES = 5
_TITLE_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
                         r"\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                         r"\b\d{1,4}[/-]\d{1,2}[/-]\d{1,4}\b|^line \d+: (?:\d+h )?\d+m \d+s$", re.IGNORECASE)


def _parse_turns(path: Path, text: str, lines, first: int, labels: _Labels, convention: SpeakerConvention,
                 locations, notices: list[str] | None = None, title_block: bool = False
                 ) -> tuple[list[Turn], list[dict]]:
    """Turns from the body's lines. ``notices`` collects lines that are no one's words (Teams' "started
    transcription", and with ``title_block`` -- a file without our header -- up to :data:`TITLE_BLOCK_LINES`
    lines before the first speaker, such as the meeting name and date Teams writes); they become the
    transcript's notes, so nothing read is lost."""
    notices = [] if notices is None else notices
    before_first: list[str] = []
    turns: list[Turn] = []
    problems: list[dict] = []
    unknown_seen: set[str] = set()
    first_content: tuple[int, str] | None = None
    orphan: tuple[int, str] | None = None
    current: Turn | None = None
    empty_start: bool = False  # the current turn's label had no words after it yet
    cue_time: str | None = None  # an older Teams .docx timing line, waiting for its speaker
    # a name alone on its line starts a turn only in a file laid out that way: where turns are 'Name: words', a
    # line holding just a name is someone's words
    inline = any((m := convention.label_pattern.match(line)) and line[m.end():].strip()
                 and labels.classify(m.group("label"))[0] for _, _, line in lines[first:])
    names = set() if inline else {n for n in (labels.interviewer | labels.participant | labels.other
                                              | set(labels.extra)) if len(n) > 2}

    for number, offset, line in lines[first:]:
        if not line.strip() or _SEPARATOR.match(line):
            continue
        if timing := TEAMS_TIMING_LINE.match(line):  # an older Teams .docx: the time above the speaker's name
            cue_time = timing.group("ts")
            continue
        if TEAMS_NOTICE.match(line):  # "Sam Jones started transcription": no one's words, kept as a note
            notices.append(f"line {number}: {line.strip()}")
            continue
        if first_content is None:
            first_content = (number, line)
        m, kind, problem = turn_label(line, convention.label_pattern, labels.classify, names)
        if kind:
            rest = line[m.end():]
            groups = m.groupdict()
            stamp = groups.get("ts") or groups.get("ts2")
            skip = len(rest) - len(rest.lstrip())
            if not stamp and (inline := LEADING_TIME.match(rest[skip:])):  # Descript: "Tia: [00:00:11] words"
                stamp, skip = inline.group("ts"), skip + inline.end()
            content = rest[skip:].strip()
            start = offset + m.end() + skip
            role, who = labels.extra.get(_norm(m.group("label")), (None, None))
            current = Turn(index=len(turns) + 1, speaker=m.group("label").strip(), kind=kind, start=start,
                           end=start + len(content), line=number,
                           timestamp=stamp or cue_time, role=role, participant=who)
            cue_time = None
            turns.append(current)
            empty_start = not content
            continue
        if not kind and not problem and (unseen := _unseen_label(line, labels, convention)):
            problems.append(_problem(path, number, unseen, escape_unseen(line), locations))
            continue
        if problem:
            key = _norm(m.group("label"))
            if key not in unknown_seen:
                unknown_seen.add(key)
                problems.append(_problem(path, number, problem, line, locations))
            continue
        if current is None:
            orphan = orphan or (number, line)
            before_first.append(f"line {number}: {line.strip()}")
            continue
        content_start = offset + (len(line) - len(line.lstrip()))
        if empty_start:
            current.start = content_start
            empty_start = False
        current.end = offset + len(line.rstrip())

    if first_content is None:
        problems.append(_problem(path, lines[-1][0] if lines else 1,
                                 "the header is there but no interview follows it", "", locations))
    elif not turns and not problems:
        number, line = first_content
        problems.append(_problem(path, number, (
            "no speaker labels found: each turn must start with a label such as 'Interviewer:' or "
            f"'{_labels_example(labels)}:' (or 'Q:' and 'A:'), optionally after a time stamp like [00:01:23]"),
            line, locations))
    elif orphan and title_block and len(before_first) <= TITLE_BLOCK_LINES and turns and any(
            _TITLE_DATE.search(n) for n in before_first):
        notices[:0] = [f"before the first speaker, {n}" for n in before_first]
    elif orphan:
        problems.append(_problem(path, orphan[0], "text before the first speaker label: whose words are these?",
                                 orphan[1], locations))
    if turns and not any(t.kind == "participant" and t.end > t.start for t in turns) and not problems:
        problems.append(_problem(path, turns[0].line, (
            "no words from the participant: every turn is the interviewer's or another speaker's; check the "
            "speaker labels"), "", locations))
    return turns, problems


def _caption_turns(path: Path, text: str, labels: _Labels) -> tuple[list[Turn], list[dict]]:
    """Turns of a WebVTT or SRT file: each cue line one turn, a cue without a speaker continuing the last."""
    from cm_research.qual.transcript_formats import read_captions

    turns, problems, unknown, speaker = [], [], set(), None
    for cue in read_captions(path, text):
        speaker = cue.speaker or speaker
        if speaker is None:
            problems.append(_problem(path, cue.line, (
                "a cue before any speaker is named: whose words are these? Captions from YouTube, Premiere and "
                "other subtitle tools name no speakers; type the speaker's name before the words of each change "
                "of speaker ('Tia: ...', or <v Tia> in WebVTT): a cue without a name continues the last named")))
            break
        kind, problem = labels.classify(speaker)
        if kind is None:
            if _norm(speaker) not in unknown:
                unknown.add(_norm(speaker))
                problems.append(_problem(path, cue.line, problem or (
                    f"unknown speaker {speaker!r}: add them to speakers.csv (speaker, role, participant_id, site, "
                    "file)"), speaker))
            continue
        role, who = labels.extra.get(_norm(speaker), (None, None))
        turns.append(Turn(index=len(turns) + 1, speaker=speaker, kind=kind, start=cue.start, end=cue.end,
                          line=cue.line, timestamp=cue.timestamp, role=role, participant=who))
    if not turns and not problems:
        problems.append(_problem(path, None, "no cues with words in this caption file"))
    return turns, problems


def _labels_example(labels: _Labels) -> str:
    names = sorted(n for n in labels.participant if len(n) > 1 and n not in ("answer", "respondent", "interviewee"))
    return names[0].title() if names else "A"


def _starts_with_header(lines) -> bool:
    """Whether the file opens with a header of ours: its first block of lines (up to a blank line or ``---``)
    holds a ``Pseudonym:``, ``Role:`` or ``Site:`` line. A transcript without one may open with a turn that
    looks like a header line ("Sam Jones: Hello", "Interviewer: Thanks for coming")."""
    started = False
    for _, _, line in lines:
        if line.strip().startswith("#"):
            continue
        if not line.strip() or _SEPARATOR.match(line):
            if started:
                return False
            continue
        started = True
        m = _HEADER_LINE.match(line)
        if not m:
            return False
        if HEADER_FIELDS.get(_norm(m.group("key")).replace("_", " ").replace("-", " ")) in REQUIRED_FIELDS:
            return True
    return False


#: sentence ends and line breaks one interview may hold: each becomes a segment to code, and coding needs about
#: 5 KB a segment (a 5 MB file of 1.7 million one-letter sentences took 35 s and 8 GB to code)
MAX_TRANSCRIPT_PIECES = 50_000
#: characters in one line of an interview (about 3,500 words): a sentence is never longer than its line
MAX_LINE_CHARS = 20_000


def read_transcript(path: str | Path, convention: SpeakerConvention | None = None,
                    speakers: pd.DataFrame | None = None) -> Transcript:
    """Read one interview (.txt, .docx, WebVTT .vtt or SRT .srt) into a :class:`Transcript`.

    ``speakers`` is a speakers table (:func:`cm_research.qual.transcript_formats.read_speakers`): who each
    speaker is, for joint interviews, focus groups, and files without a header (every .vtt and .srt).

    Raises :class:`TranscriptError` listing every problem found, each with file and line.
    """
    from cm_research.qual.transcript_formats import CAPTION_SUFFIXES, INTERVIEWER_ROLE, speakers_for

    table = speakers_for(speakers, Path(path))
    convention = convention or SpeakerConvention()
    path = Path(path)
    locations: dict[int, str] = {}
    if path.suffix.lower() == ".docx":
        from cm_research.qual.word_docx import docx_lines

        extracted = docx_lines(path)
        text, encoding = "\n".join(line for line, _ in extracted) + ("\n" if extracted else ""), "docx"
        locations = {i: where for i, (_, where) in enumerate(extracted, start=1)}
    elif path.suffix.lower() in (".txt", *CAPTION_SUFFIXES):
        if path.exists() and (reason := not_a_regular_file(path)):
            raise TranscriptError.from_problems([_problem(path, None, reason)], path.name)
        data = path.read_bytes()
        if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise TranscriptError.from_problems([_problem(path, None, (
                f"this is a Word or other Office document with a {path.suffix} name, not text; rename it to .docx "
                "if it is a Word document, or save it from Word as plain text (UTF-8)"))], path.name)
        text, encoding = _decode(path, data)
    else:
        raise TranscriptError.from_problems([_problem(path, None, (
            f"{path.suffix or 'files without an extension'} cannot be read as a transcript; save the interview "
            "as .txt (UTF-8) or .docx"))], path.name)
    if not text.strip():
        raise TranscriptError.from_problems([_problem(path, None, "the file is empty: no header and no interview")],
                                            path.name)
    pieces = sum(text.count(mark) for mark in ".!?\u2026\n")
    if pieces > MAX_TRANSCRIPT_PIECES:
        raise TranscriptError.from_problems([_problem(path, None, (
            f"the interview would split into about {pieces:,} sentences and lines, more than the "
            f"{MAX_TRANSCRIPT_PIECES:,} one interview can have (a three-hour focus group has about 5,000); it was not "
            "read. Check that the file is an interview, or split it into one file per session"))], path.name)
    lines = _lines(text)
    if long := [(n, line) for n, _, line in lines if len(line) > MAX_LINE_CHARS]:
        raise TranscriptError.from_problems([_problem(path, n, (
            f"the line has {len(line):,} characters, more than the {MAX_LINE_CHARS:,} of about 25 minutes of "
            "speech without a break (a codebook's patterns take time growing with the square of a line's "
            "length); check the file is an interview, and break the line where the speaker pauses"),
            line[:80], locations) for n, line in long[:20]], path.name)
    if problems := _control_characters(path, lines, locations):
        raise TranscriptError.from_problems(problems, path.name)
    captions = path.suffix.lower() in CAPTION_SUFFIXES
    listed = table[table["role"] != INTERVIEWER_ROLE]
    if captions or (len(listed) and not _starts_with_header(lines)):
        # no header of our own: who is interviewed comes from the speakers table
        if not len(listed):
            raise TranscriptError.from_problems([_problem(path, None, (
                "this file has no header saying who was interviewed: list its speakers in speakers.csv beside it "
                "(columns speaker, role, participant_id, site, file), e.g. 'Tia,young person,P07,Easton,"
                f"{path.name}', and the interviewer as 'Sam,interviewer'"))], path.name)
        head = listed.iloc[0]
        fields = {"pseudonym": head["speaker"], "role": head["role"], "site": head["site"] or "unknown",
                  "participant_id": head["participant_id"]}
        field_lines, notes, first, problems = {}, [], 0, []
    else:
        fields, field_lines, notes, first, problems = _parse_header(path, lines, locations)
    if not any(name in fields for name in REQUIRED_FIELDS):
        number, _, line = next((x for x in lines if x[2].strip() and not x[2].strip().startswith("#")), lines[0])
        raise TranscriptError.from_problems([_problem(path, number, (
            "no header: an interview file must start with 'Pseudonym: ...', 'Role: ...' and 'Site: ...' lines, "
            "then a line '---', then the speaker-labelled turns"), line, locations)], path.name)
    header_line = lines[0][0]
    for name in REQUIRED_FIELDS:
        if not fields.get(name, "").strip():
            problems.append(_problem(path, field_lines.get(name, header_line), (
                f"the header has no {name.replace('_', ' ').title()}: add a line '{name.title()}: ...' "
                "before '---'"), "", locations))
    role = normalise_role(fields.get("role", "")) if fields.get("role", "").strip() else None
    if role is None and fields.get("role", "").strip().lower() == UNKNOWN_ROLE and fields.get("imported_from"):
        role = UNKNOWN_ROLE
    if fields.get("role", "").strip() and role is None:
        problems.append(_problem(path, field_lines["role"], (
            f"role {fields['role']!r} is not a known role; use one of: {accepted_spellings()}"),
            fields["role"], locations))
    if problems:
        raise TranscriptError.from_problems(problems, path.name)

    interviewer = set(convention.interviewer_labels)
    if fields.get("interviewer"):
        interviewer.add(_norm(fields["interviewer"]))
    others = tuple(s.strip() for s in re.split(r"[;,]", fields.get("other_speakers", "")) if s.strip())
    participant = set(convention.participant_labels) | {_norm(fields["pseudonym"])} | set(ROLE_ALIASES.get(role, ()))
    participant.add(_norm(fields["pseudonym"]).split(" ")[0])
    main_key = fields.get("participant_id", "").strip() or f"{fields['site'].strip()}|{role}|{fields['pseudonym'].strip()}"
    extra = {}
    for r in table.itertuples(index=False):
        if r.role == INTERVIEWER_ROLE:
            interviewer.add(_norm(r.speaker))
        else:
            key = r.participant_id or f"{r.site or fields['site'].strip()}|{r.role}|{r.speaker}"
            extra[_norm(r.speaker)] = (r.role, key) if key != main_key else (None, None)
    labels = _Labels(interviewer=interviewer, participant=participant - interviewer - set(extra),
                     other={_norm(s) for s in others}, role=role, extra=extra)
    body_start = lines[first][1] if first < len(lines) else len(text)
    if captions:
        turns, problems = _caption_turns(path, text, labels)
    elif _norm(fields.get("turns", "")) == ONE_PER_LINE:
        turns = [dataclasses.replace(t, start=t.start + body_start, end=t.end + body_start,
                                     line=t.line + lines[first][0] - 1)
                 for t in line_turns(text[body_start:], fields["pseudonym"].strip())]
        problems = [] if turns else [_problem(path, None, "the header is there but no interview follows it", "",
                                              locations)]
    else:
        turns, problems = _parse_turns(path, text, lines, first, labels, convention, locations, notes,
                                       title_block=not field_lines)
    if problems:
        raise TranscriptError.from_problems(problems, path.name)
    meta = {k: v for k, v in fields.items() if k not in ("pseudonym", "role", "site", "date", "interviewer",
                                                       "participant_id", "other_speakers")}
    return Transcript(  # the name in NFC: macOS may store "Zoë.txt" with a combining accent
        transcript=unicodedata.normalize("NFC", path.stem), path=path, text=text, encoding=encoding,
        pseudonym=fields["pseudonym"].strip(),
        role=role, site=fields["site"].strip(), date=fields.get("date", ""), interviewer=fields.get("interviewer", ""),
        participant_id=fields.get("participant_id", "").strip(), other_speakers=others, notes=notes, meta=meta,
        turns=turns, locations=locations, body_start=body_start,
    )


# ----------------------------------------------------------------------------------------------------------- corpus

@dataclass
class Corpus:
    """The transcripts read from a folder, the problems found in the others, and files that were skipped."""

    transcripts: list[Transcript]
    problems: pd.DataFrame = field(default_factory=problems_table)
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["file", "reason"]))
    _segments: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_id = {t.transcript: t for t in self.transcripts}

    def __len__(self) -> int:
        return len(self.transcripts)

    def __getitem__(self, transcript: str) -> Transcript:
        return self._by_id[transcript]

    def __contains__(self, transcript: str) -> bool:
        return transcript in self._by_id

    @property
    def synthetic(self) -> bool:
        return bool(self.transcripts) and all(t.synthetic for t in self.transcripts)

    def text(self, transcript: str) -> str:
        return self._by_id[transcript].text

    def participants(self) -> pd.DataFrame:
        """One row per transcript: transcript, file, participant (key), participant_label (e.g. "mentee 2",
        safe to show), role, site, date, encoding, n_turns, n_participant_words."""
        from cm_research.qual.tokens import count_words

        rows = []
        for t in self.transcripts:
            # a joint interview has one row per person interviewed, each counted under their own role
            people = {(t.participant, t.role): [0, 0]}
            for u in t.turns:
                key = (u.participant or t.participant, u.role or t.role)
                counts = people.setdefault(key, [0, 0])
                counts[0] += 1
                if u.kind == "participant":
                    counts[1] += count_words(t.text[u.start:u.end])
            for (participant, role), (n_turns, words) in people.items():
                rows.append({"transcript": t.transcript, "file": t.path.name, "participant": participant,
                             "role": role, "site": t.site, "date": t.date, "encoding": t.encoding,
                             "n_turns": n_turns if participant != t.participant else len(t.turns),
                             "n_participant_words": words})
        table = pd.DataFrame(rows, columns=["transcript", "file", "participant", "role", "site", "date",
                                            "encoding", "n_turns", "n_participant_words"])
        order = table.drop_duplicates("participant").sort_values(["role", "site", "transcript"])
        number = order.groupby("role").cumcount() + 1
        labels = dict(zip(order["participant"], order["role"].map(role_name) + " " + number.astype(str)))
        table.insert(3, "participant_label", table["participant"].map(labels))
        return table

    def segments(self, level: str = "sentence") -> pd.DataFrame:
        """Segments of every transcript (see :func:`cm_research.qual.segments.segment_transcripts`), cached."""
        from cm_research.qual.segments import segment_transcripts

        if level not in self._segments:
            self._segments[level] = segment_transcripts(self.transcripts, level=level)
        return self._segments[level]

    def select(self, sites: Iterable[str] | None = None, roles: Iterable[str] | None = None) -> "Corpus":
        """The transcripts of some sites and/or roles (case-insensitive site names; roles in any accepted spelling)."""
        keep = self.transcripts
        if sites:
            wanted = {s.strip().lower() for s in sites}
            keep = [t for t in keep if t.site.lower() in wanted]
        if roles:
            wanted_roles = {normalise_role(r) or r for r in roles}
            keep = [t for t in keep if t.role in wanted_roles]
        return Corpus(list(keep), self.problems, self.skipped)


def _link_problem(path: Path, folder: Path) -> dict | None:
    """A problem when ``path`` (in ``folder``) is a symbolic link that leads out of the folder, or to nothing;
    else None.

    A folder of transcripts may come from someone else; a link in it to ``/etc/passwd`` or another project's
    interviews would be read, quoted and reported as if it were an interview of this one. Links are resolved
    and compared with the folder (so ``../`` in a link's target is followed too); links within it are read."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if not target.exists():
        return _problem(path, None, f"{path.name} is a symbolic link to {target}, which does not exist")
    if target.is_relative_to(folder.resolve()):
        return None
    return _problem(path, None, (
        f"{path.name} is a symbolic link to {target}, outside the transcripts folder; it is not read. Copy the file "
        "into the folder if it belongs to this analysis"))


def _candidate_files(source: str | Path | Iterable[str | Path]) -> tuple[list[Path], list[dict], list[dict]]:
    """(files to read, files skipped with the reason, problems: links leading out of the folder)."""
    problems: list[dict] = []
    if isinstance(source, (str, Path)):
        folder = Path(source)
        if not folder.exists():
            raise FileNotFoundError(f"no transcripts folder or file at {folder}")
        paths = [folder] if not folder.is_dir() else sorted(p for p in folder.iterdir() if not p.is_dir())
        if folder.is_dir():
            problems = [found for p in paths if (found := _link_problem(p, folder))]
            paths = [p for p in paths if not _link_problem(p, folder)]
    else:
        paths = sorted(Path(p) for p in source)
    files, skipped = [], []
    for p in paths:
        suffix = p.suffix.lower()
        if found := _CONTROL.search(p.name) or _BIDI.search(p.name):
            problems.append({"file": escape_unseen(p.name), "line": None, "column": "", "value": "", "message": (
                f"the file name holds the invisible character {character_name(found.group())}, which can make a "
                "name show as another (reversed, or with a different extension); it is not read. Rename the file")})
        elif p.exists() and not p.is_file():  # a named pipe would block the reader for ever, a device never end
            skipped.append({"file": p.name, "reason": "not an ordinary file (a pipe, socket or device); not read"})
        elif p.name.startswith(("~$", ".")):
            skipped.append({"file": p.name, "reason": "a temporary or hidden file"})
        elif NOTICE_NAMES.match(p.name):
            skipped.append({"file": p.name, "reason": "a notice, not an interview"})
        elif suffix in TRANSCRIPT_SUFFIXES or suffix in UNSUPPORTED_SUFFIXES:
            files.append(p)
        else:
            skipped.append({"file": p.name, "reason": f"not a transcript ({suffix or 'no extension'})"})
    return files, skipped, problems


#: interview files one call reads: evaluations have tens to hundreds; 100,000 tiny files took about 5 minutes
MAX_TRANSCRIPT_FILES = 5_000


def read_transcripts(source: str | Path | Iterable[str | Path], convention: SpeakerConvention | None = None,
                     errors: str = "raise") -> Corpus:
    """Read every .txt and .docx interview in a folder (or a list of files).

    Parameters
    ----------
    errors
        ``"raise"`` (default): one :class:`TranscriptError` listing every problem in every file.
        ``"report"``: the readable transcripts are returned and the problems are in ``Corpus.problems``,
        so a report can show them; nothing is dropped without being listed.

    Files named ``SYNTHETIC.txt``, ``README*`` or ``LICENSE*``, hidden and Word lock files (``~$...``), and
    files of other types are not interviews: they are listed in ``Corpus.skipped``. Files in formats that
    cannot be read (.doc, .rtf, .pdf ...) are problems, and so are symbolic links in the folder that lead out
    of it (or to nothing): they are not read.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    files, skipped, problem_rows = _candidate_files(source)
    if len(files) > MAX_TRANSCRIPT_FILES:
        where = Path(source).name if isinstance(source, (str, Path)) else "the files given"
        raise TranscriptError.from_problems([_problem(Path(where), None, (
            f"{len(files):,} interview files, more than the {MAX_TRANSCRIPT_FILES:,} one analysis reads (each takes "
            "a few milliseconds, so this many would take minutes); check that this is the transcripts folder, or "
            "split the interviews into one folder per site"))], where)
    transcripts: list[Transcript] = []
    speakers = None
    table_path = Path(source) / SPEAKERS_FILE if isinstance(source, (str, Path)) and Path(source).is_dir() else None
    if table_path is not None and _link_problem(table_path, table_path.parent):
        table_path = None  # refused with the other links out of the folder
    if table_path is not None and table_path.is_file():
        from cm_research.qual.transcript_formats import read_speakers

        speakers = read_speakers(table_path)
        skipped = [s for s in skipped if s["file"] != SPEAKERS_FILE]
    skipped = [s for s in skipped if s["file"] != "memos.csv"]  # the analyst's memos: read by the analysis
    for path in files:
        try:
            transcripts.append(read_transcript(path, convention, speakers))
        except TranscriptError as exc:
            problem_rows.extend(exc.problems.to_dict("records") or [{"file": path.name, "message": str(exc)}])
    stems: dict[str, str] = {}
    for t in transcripts:
        if t.transcript in stems:
            problem_rows.append({"file": t.path.name, "line": None, "column": "", "value": "",
                                 "message": f"two files are named {t.transcript!r} ({stems[t.transcript]} and "
                                            f"{t.path.name}); rename one: coding refers to transcripts by name"})
        stems[t.transcript] = t.path.name
    if problem_rows and errors == "raise":
        raise TranscriptError.from_problems(problem_rows, "the transcripts")
    bad = {r["file"] for r in problem_rows}
    kept = [t for t in transcripts if t.path.name not in bad]
    if not kept and errors == "raise":
        raise TranscriptError(f"no transcripts (.txt or .docx) found in {source}")
    return Corpus(kept, problems_table(problem_rows), pd.DataFrame(skipped, columns=["file", "reason"]))


_INTERVIEWER = SpeakerConvention().interviewer_labels
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w .'-]{0,30}?)[ \t]*:[ \t]+")


def line_turns(text: str, speaker: str) -> list[Turn]:
    """One turn per non-empty line (a plain-text interview with no header, or a header saying one turn a line). A line starting with an interviewer's label (``Interviewer:``, ``Q:`` ...)
    is the interviewer's turn; the words of a labelled line start after the label."""
    turns, line, counted = [], 1, 0
    for m in re.finditer(r"[^\r\n]+", text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        piece = m.group()
        label = _LABEL.match(piece)
        kind, who, skip = "participant", speaker, 0
        if label:
            skip = label.end()
            if label.group("label").strip().lower() in _INTERVIEWER:
                kind, who = "interviewer", label.group("label").strip()
        left = skip + len(piece[skip:]) - len(piece[skip:].lstrip())
        right = len(piece.rstrip())
        if right > left:
            turns.append(Turn(index=len(turns) + 1, speaker=who, kind=kind, start=m.start() + left,
                              end=m.start() + right, line=line))
    return turns


def squash_whitespace(text: str) -> str:
    """``text`` with every run of white space (line breaks included) one space, and none at either end: how a
    quote is compared with the words it was taken from."""
    return re.sub(r"\s+", " ", text).strip()
