"""Transcript layouts that transcription tools write, and the speakers table for joint interviews.

Offsets always point into the file's own text (``Transcript.text`` is the decoded file), so a coded span, a
quote or an export to a QDA program points back at the exact words. The readers here therefore parse the
layouts directly rather than through a subtitle library, which would give back the words without their
positions.

* **WebVTT** (``.vtt``; Microsoft Teams, Zoom, Otter): cues with a timing line ``00:00:11.000 --> ...``; the
  speaker is the voice tag ``<v Tia>words</v>`` (Teams) or a ``Tia: words`` prefix (Zoom); a cue without a
  speaker continues the previous speaker's turn.
* **SRT** (``.srt``): numbered cues, timing ``00:00:11,000 --> ...``, speaker as ``Tia: words`` or ``[Tia] words``.
* A cue whose time is impossible (minutes or seconds of 60 or more, an end before its start) refuses the file,
  naming the line: the times place the words in the recording.
* **Name and time on their own line** (Teams .docx and Otter .txt exports)::

      Tia   0:00:11
      I liked the music sessions.

  read by :data:`NAME_TIME_LINE` (also ``[Tia] 00:00:11`` and ``Tia (0:11)``), alongside the usual ``Tia: words``.
* Other tools' turn labels, each found by :func:`turn_label` (a label counts only when it names a known speaker):

  - Rev.com and Trint: ``Tia (00:00:11):`` with the words after it or on the next line (:data:`REV_LABEL`);
  - NVivo Transcription: the time first, then the name alone, ``00:00:11 Tia`` (:data:`TIME_NAME_LINE`);
  - Descript: ``Tia: [00:00:11] words``; the time after the label is read as the turn's time, not its words
    (:data:`LEADING_TIME`);
  - a name alone on its line (Word transcripts with the speaker in bold above the words; older Teams .docx
    transcripts, where a timing line ``0:0:3.720 --> 0:0:7.0`` comes first and is read as the time,
    :data:`TEAMS_TIMING_LINE`). Only names the file or speakers table gives count, never ``I`` or ``A``.

  Teams' notices ``Sam Jones started transcription`` and Otter's closing ``Transcribed by https://otter.ai``
  are no one's words: they become the transcript's notes (:data:`TEAMS_NOTICE`).

A **speakers table** (``speakers.csv`` in the transcripts folder) says who each speaker is: columns ``speaker``
(the label as written), ``role`` (``interviewer``, or any spelling of a participant role), and optionally
``participant_id``, ``site`` and ``file`` (the transcript it applies to; blank for every file). In a joint
interview (a social worker and a young person) or a focus group each listed speaker's words are counted under
their own role and participant. A file with no header (as every .vtt and .srt is) takes its pseudonym, role and
site from the first participant listed for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.qual.errors import TranscriptError

CAPTION_SUFFIXES = {".vtt", ".srt"}
SPEAKER_COLUMNS = ["file", "speaker", "role", "participant_id", "site"]
INTERVIEWER_ROLE = "interviewer"

#: A line holding only a speaker's name and a time stamp; the words follow on the next lines.
NAME_TIME_LINE = re.compile(
    r"^[ \t]*\[?(?P<label>[^\W\d_][\w .,'\u2019()/&-]{0,39}?)\]?(?:[ \t]{1,}|\t)[\[(]?"
    r"(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])]?[ \t]*$")
#: a speaker's name: display names carry commas ("Jones, Sam"), organisations and pronouns in brackets
_NAME = r"(?P<label>[^\W\d_][\w .,'\u2019()/&-]{0,39}?)"
_STAMP = r"(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)"
#: Rev.com / Trint: a name, the time in brackets, a colon; the words follow on the line or the next lines.
REV_LABEL = re.compile(rf"^[ \t]*{_NAME}[ \t]+[(\[]{_STAMP}[)\]][ \t]*:(?:[ \t]+|$)")
#: NVivo Transcription: a time, then the speaker's name alone; the words follow on the next lines.
TIME_NAME_LINE = re.compile(rf"^[ \t]*[\[(]?{_STAMP}[\])]?[ \t]+{_NAME}[ \t]*:?[ \t]*$")
#: A speaker's name alone on its line (optionally with a colon); counts only for a name given explicitly.
NAME_ALONE_LINE = re.compile(rf"^[ \t]*{_NAME}[ \t]*:?[ \t]*$")
#: Older Teams .docx transcripts: a cue timing line above each speaker's name ("0:0:3.720 --> 0:0:7.0").
TEAMS_TIMING_LINE = re.compile(
    r"^[ \t]*(?P<ts>\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?)[ \t]*-->[ \t]*\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?[ \t]*$")
#: A time stamp opening a turn's words after the label (Descript: "Tia: [00:00:11] words").
LEADING_TIME = re.compile(r"^[\[(](?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])][ \t]*")
#: Notices a tool writes into the transcript, no one's words: Teams' "Sam Jones started transcription",
#: Otter's closing "Transcribed by https://otter.ai".
TEAMS_NOTICE = re.compile(r"^[ \t]*(?:\S.{0,60}? (?:started|stopped) transcription\.?|Transcribed by https?://otter\.ai/?)"
                          r"[ \t]*$", re.IGNORECASE)

_TIMING = re.compile(r"^\s*(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>\S+)")
#: a line meant as a cue's timing (an arrow), which the timing pattern could not read
_ARROW = re.compile(r"-->|^\s*\d[\d:.,]*\s*-+>")
_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2})[.,](?P<ms>\d{1,3})$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<label>[^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_PREFIX = re.compile(r"^\s*(?:-\s*)?(?:\[(?P<b>[^\]]{1,40})\]|(?P<label>[^\W\d_][\w .,'\u2019()/&-]{0,39}?)\s*:)\s+")


@dataclass
class CaptionTurn:
    """One cue line's words: ``text[start:end]``; ``speaker`` is None when the cue names nobody."""

    speaker: str | None
    start: int
    end: int
    line: int
    timestamp: str | None


def _lines(text: str):
    pos = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        yield number, pos, line.rstrip("\r\n")
        pos += len(line)


def cue_seconds(stamp: str) -> float | None:
    """A cue time (``hh:mm:ss.ttt``, ``mm:ss.ttt``, or with a decimal comma as SRT writes it) in seconds, or None
    when it is no time: minutes and seconds run from 0 to 59 (hours may pass 24 in a long recording)."""
    m = _TIME.match(stamp)
    if not m or int(m["m"]) > 59 or int(m["s"]) > 59:
        return None
    return int(m["h"] or 0) * 3600 + int(m["m"]) * 60 + int(m["s"]) + int(m["ms"].ljust(3, "0")) / 1000


def _timing_problem(m: re.Match) -> str | None:
    """Why a cue's timing line cannot be right, or None."""
    start, end = cue_seconds(m["ts"]), cue_seconds(m["end"])
    for stamp, seconds in ((m["ts"], start), (m["end"], end)):
        if seconds is None:
            return (f"the cue time {stamp} is impossible (a time is hh:mm:ss.ttt, minutes and seconds 00 to 59); "
                    "correct it from the recording, or delete the cue")
    if end < start:
        return (f"the cue ends before it starts (it starts at {m['ts']} and ends at {m['end']}); correct the times "
                "from the recording, or delete the cue")
    return None


def _cue_pieces(line: str) -> list[tuple[str | None, int, int]]:
    """(speaker, start, end) of each voice's words on a cue line. WebVTT lets one line hold several voices
    (``<v Sam>Good?</v> <v Tia>Yes.</v>``): each is its own piece, so no voice's words go to another."""
    voices = list(_VOICE.finditer(line))
    if not voices:  # a line of a multi-line cue ends the voice opened on the line above with </v>
        prefix = _PREFIX.match(line)
        start = prefix.end() if prefix else 0
        close = line.find("</v>", start)
        end = close if close != -1 else len(line)
        return [((prefix.group("b") or prefix.group("label")).strip() if prefix else None, start, end)]
    pieces = [(None, 0, voices[0].start())] if _TAG.sub("", line[:voices[0].start()]).strip() else []
    for k, voice in enumerate(voices):
        stop = voices[k + 1].start() if k + 1 < len(voices) else len(line)
        close = line.find("</v>", voice.end(), stop)
        pieces.append((voice.group("label").strip(), voice.end(), close if close != -1 else stop))
    return pieces


def turn_label(line: str, pattern: re.Pattern, classify, names: set[str]) -> tuple[re.Match | None, str | None,
                                                                                      str | None]:
    """The label that starts a turn on ``line``: (match, kind, problem), trying the layouts in turn.

    ``pattern`` is the convention's own (``Tia: words``); ``classify(label)`` gives (kind, problem) as
    :class:`~cm_research.qual.transcripts._Labels` does; ``names`` are the normalised names given explicitly
    (pseudonym, interviewer, other speakers, the speakers table), the only ones a name alone on its line may be.
    The first layout whose label is a known speaker wins; failing that, the first one naming an unknown person
    (a problem); failing that, (None, None, None): the line is words."""
    first_problem = None
    for layout in (pattern, REV_LABEL, NAME_TIME_LINE, TIME_NAME_LINE, NAME_ALONE_LINE):
        m = layout.match(line)
        if not m:
            continue
        label = m.group("label")
        if layout is NAME_ALONE_LINE:
            key = re.sub(r"\s+", " ", label.strip().lower())
            if key not in names or len(key) < 3:
                continue
        kind, problem = classify(label)
        if kind:
            return m, kind, None
        if problem and first_problem is None and layout is not NAME_ALONE_LINE:
            first_problem = (m, problem)
    return (first_problem[0], None, first_problem[1]) if first_problem else (None, None, None)


def read_captions(path: Path, text: str) -> list[CaptionTurn]:
    """The spoken lines of a WebVTT or SRT file, with the speaker of each where the file names one.

    Raises :class:`TranscriptError` naming the line of each cue whose time is impossible (minutes or seconds
    of 60 or more, an end before the start) or cannot be read: the times place the words in the recording, and
    a wrong one is no typo to guess at."""
    out: list[CaptionTurn] = []
    problems: list[dict] = []
    in_cue, timestamp, skip_block = False, None, False
    for number, offset, line in _lines(text):
        if not line.strip():
            in_cue, skip_block = False, False
            continue
        if skip_block:
            continue
        if not in_cue:
            if line.startswith(("NOTE", "STYLE", "REGION")) or line.startswith("WEBVTT"):
                skip_block = True
                continue
            m = _TIMING.match(line)
            if m and (problem := _timing_problem(m)):
                problems.append({"file": path.name, "line": number, "column": "", "value": line[:80],
                                 "message": problem})
                skip_block = True  # the cue's words are not read: the file is refused
            elif m:
                in_cue, timestamp = True, m.group("ts")
            elif _ARROW.search(line):  # else the cue's words would be passed over as if they were its identifier
                problems.append({"file": path.name, "line": number, "column": "", "value": line[:80], "message": (
                    "the cue timing cannot be read: write it as 00:01:23.000 --> 00:01:25.500 (hours, minutes, "
                    "seconds and milliseconds)")})
                skip_block = True
            continue  # a cue number or identifier
        for speaker, body_start, body_end in _cue_pieces(line):
            words = line[body_start:body_end]
            left = len(words) - len(words.lstrip())
            right = len(words.rstrip())
            if right > left and _TAG.sub("", words).strip():
                out.append(CaptionTurn(speaker, offset + body_start + left, offset + body_start + right, number,
                                       timestamp))
    if problems:
        raise TranscriptError.from_problems(problems, path.name)
    return out


def read_speakers(path: str | Path) -> pd.DataFrame:
    """Read a speakers table (see the module docstring); every problem is named with its row."""
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = [c.strip().lower().replace(" ", "_") for c in table.columns]
    missing = [c for c in ("speaker", "role") if c not in table]
    if missing:
        raise TranscriptError.from_problems([{
            "file": path.name, "line": 1, "column": ", ".join(missing), "value": ", ".join(table.columns),
            "message": "a speakers table needs columns speaker and role (and optionally participant_id, site, "
                       "file)"}], path.name)
    from cm_research.qual.roles import accepted_spellings, normalise_role

    problems = []
    for c in SPEAKER_COLUMNS:
        if c not in table:
            table[c] = ""
    table = table[SPEAKER_COLUMNS].apply(lambda s: s.str.strip())
    roles = []
    for number, r in enumerate(table.itertuples(index=False), start=2):
        role = INTERVIEWER_ROLE if r.role.lower() in ("interviewer", "researcher", "facilitator") else \
            normalise_role(r.role)
        if not r.speaker:
            problems.append({"file": path.name, "line": number, "column": "speaker", "value": "",
                             "message": "the speaker is empty"})
        if role is None:
            problems.append({"file": path.name, "line": number, "column": "role", "value": r.role,
                             "message": f"role {r.role!r} is not interviewer or a known role ({accepted_spellings()})"})
        roles.append(role)
    if problems:
        raise TranscriptError.from_problems(problems, path.name)
    table["role"] = roles
    return table


def speakers_for(table: pd.DataFrame | None, path: Path) -> pd.DataFrame:
    """The rows of a speakers table that apply to one transcript file (its name, its stem, or blank)."""
    if table is None or table.empty:
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
    return table[table["file"].isin(["", path.name, path.stem])]
