"""A case-study timeline of one young person, for the Virtual School's internal use: never for publication.

:func:`case_study` gathers, for one participant id: attendance and suspension days per period (the attendance
table), mentoring sessions (the sessions table), instrument scores at each timepoint with their reliable change
(:func:`cm_research.stats.change.reliable_change_table`), the dates of mentoring and how the match ended, and
the young person's own words from interviews whose header gives their ``Participant ID``, de-identified with
:mod:`cm_research.privacy.deidentify`. :func:`case_study_figure` draws it on one page with a shared time axis;
:func:`describe_case` writes a short prose timeline. The participant id is kept only to find the rows: no text,
table or figure made here shows it ("this young person" instead).

The notebook ``08_case_study.ipynb`` is marked ``audience: internal`` in its metadata, so a run for publication
refuses it (:mod:`cm_research.batch.audience`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cm_research.data.loading import TableLoad, find_table_file, load_evaluation, load_table
from cm_research.dictionary import measures_catalogue
from cm_research.errors import CMResearchError
from cm_research.measures.instruments import measure_metadata
from cm_research.stats.change import DETERIORATED, IMPROVED, UNCHANGED, reliable_change_table
from cm_research.report.render import PALETTE  # Okabe & Ito (2008), as seaborn ships it
from cm_research.report.wording import format_number

THIS_YOUNG_PERSON = "this young person"
#: placeholder for the young person's own name in their quotes
OWN_PLACEHOLDER = "[this young person]"
#: DfE: a pupil missing 10% or more of possible sessions is persistently absent.
PERSISTENT_ABSENCE_PCT = 90.0
MARKERS = {IMPROVED: "^", DETERIORATED: "v", UNCHANGED: "o"}
REGISTER_ROLES = {"mentee", "mentor", "carer", "social_worker", "teacher", "vsh"}


class CaseStudyError(CMResearchError):
    """The case study cannot be made: the young person is not in the data, or their row has problems."""


@dataclass
class CaseStudy:
    """Everything one case study shows. ``participant_id`` finds the rows and is never displayed.

    person : one row of the participants table (site, cohort, year group, care status, referral, mentoring dates).
    attendance : period_start, period_end, sessions_possible, sessions_attended, attendance_pct, suspension_days.
    sessions : session_date, minutes, activity, setting, attended.
    scores : measure, title, timepoint, date, value (instrument scores; dates filled from the mentoring dates
        when the outcomes table has none, see ``date_source``).
    reliable_change : measure, title, better, baseline, post, change, rci, reliable_change, threshold, note.
    quotes : theme_label, quote (de-identified), basis.
    """

    participant_id: str
    site: str
    person: pd.Series
    attendance: pd.DataFrame
    sessions: pd.DataFrame
    scores: pd.DataFrame
    reliable_change: pd.DataFrame
    quotes: pd.DataFrame
    quote_flags: int = 0
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def mentoring(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """(start, end) of mentoring; end None while it goes on."""
        start, end = self.person.get("start_date"), self.person.get("end_date")
        return (start if pd.notna(start) else None, end if pd.notna(end) else None)


def attendance_by_period(attendance: pd.DataFrame) -> pd.DataFrame:
    """Attendance per period: ``attendance_pct`` = 100 x sessions_attended / sessions_possible (the school census
    definition, DfE); NaN when no session was possible. Sorted by period start."""
    out = attendance[["period_start", "period_end", "sessions_possible", "sessions_attended",
                      "suspension_days"]].copy()
    possible = pd.to_numeric(out["sessions_possible"], errors="coerce").astype(float)
    attended = pd.to_numeric(out["sessions_attended"], errors="coerce").astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["attendance_pct"] = np.where(possible > 0, 100 * attended / possible, np.nan)
    out["suspension_days"] = pd.to_numeric(out["suspension_days"], errors="coerce").astype(float)
    return out.sort_values("period_start").reset_index(drop=True)


def _load_optional(data_dir: Path, table: str, participants: TableLoad) -> TableLoad | None:
    if not any((data_dir / f"{table}{ext}").exists() for ext in (".csv", ".xlsx")):
        return None
    held_back = set(participants.quarantine.get("participant_id", pd.Series(dtype=object)).dropna().astype(str))
    return load_table(find_table_file(data_dir, table), table, references={"participants": participants.data},
                      quarantined={"participants": held_back})


def _held_back_note(loaded: TableLoad, participant_id: str, what: str) -> str | None:
    held = loaded.quarantine
    if held.empty or "participant_id" not in held:
        return None
    n = int((held["participant_id"].astype(str).str.strip() == participant_id).sum())
    if not n:
        return None
    return (f"{n} {what} row{'s' if n != 1 else ''} about {THIS_YOUNG_PERSON} {'have' if n != 1 else 'has'} "
            f"problems and {'are' if n != 1 else 'is'} left out (see the data-quality report).")


def instrument_change(outcomes: pd.DataFrame, participant_id: str, baseline: str = "baseline", post: str = "post",
                      confidence: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, reliable_change) of one young person on every instrument measure they have.

    An instrument measure is one an instrument file scores (``measure_metadata``). Reliable change comes from
    :func:`cm_research.stats.change.reliable_change_table` (Jacobson & Truax 1991: RCI = (x_post - x_baseline) /
    S_diff, S_diff = sqrt(2) SD_norm sqrt(1 - r_xx)), computed on the whole outcomes table (the RCI of one young
    person does not depend on the others) and then narrowed to this young person.
    """
    titles = measures_catalogue()
    own = outcomes[outcomes["participant_id"] == participant_id]
    measures = [m for m in dict.fromkeys(own["measure"]) if measure_metadata(m) is not None]
    scores = own[own["measure"].isin(measures)][["measure", "timepoint", "date", "value"]].copy()
    scores.insert(1, "title", scores["measure"].map(titles["title"]).fillna(scores["measure"]))
    rows = []
    for m in measures:
        title = titles["title"].get(m, m)
        better = titles["better"].get(m, "")
        table = reliable_change_table(outcomes, m, baseline, post, confidence=confidence, on_missing="note")
        mine = table.people[table.people["participant_id"] == participant_id]
        have = set(own.loc[own["measure"] == m, "timepoint"])
        if not mine.empty:
            r = mine.iloc[0]
            threshold = float(table.parameters["reliable_change_threshold"].iloc[0])
            rows.append({"measure": m, "title": title, "better": better, "baseline": r["baseline"],
                         "post": r["post"], "change": r["change"], "rci": r["rci"],
                         "reliable_change": r["reliable_change"], "threshold": threshold, "note": ""})
            continue
        if table.parameters.empty:
            why = "no published reliability for this measure, so reliable change cannot be judged"
        else:
            missing = [t for t in (baseline, post) if t not in have]
            why = f"not measured at {' and '.join(missing)}, so reliable change cannot be judged"
        rows.append({"measure": m, "title": title, "better": better, "baseline": np.nan, "post": np.nan,
                     "change": np.nan, "rci": np.nan, "reliable_change": pd.NA, "threshold": np.nan, "note": why})
    columns = ["measure", "title", "better", "baseline", "post", "change", "rci", "reliable_change", "threshold",
               "note"]
    return scores.reset_index(drop=True), pd.DataFrame(rows, columns=columns)


def _register_table(corpus, own: set[str], extra=None) -> pd.DataFrame:
    """A de-identification register from the interviews' headers (pseudonyms, interviewers, other speakers) and an
    optional register of the evaluation; the young person's own pseudonym becomes ``[this young person]``."""
    from cm_research.qual.redact import _GENERIC

    rows = []
    for t in corpus.transcripts:
        if t.pseudonym.strip():
            role = t.role if t.role in REGISTER_ROLES else "other"
            mine = t.transcript in own
            rows.append({"name": t.pseudonym.strip(), "role": role, "participant_id": t.participant_id,
                         "placeholder": OWN_PLACEHOLDER if mine else ""})
        for name in (t.interviewer, *t.other_speakers):
            name = (name or "").strip()
            if name and name.lower() not in _GENERIC:
                rows.append({"name": name, "role": "staff" if name == t.interviewer else "other",
                             "participant_id": "", "placeholder": ""})
    table = pd.DataFrame(rows, columns=["name", "role", "participant_id", "placeholder"])
    if extra is not None:
        from cm_research.privacy.register import Register, load_register, make_register

        register = extra if isinstance(extra, Register) else (
            make_register(extra) if isinstance(extra, pd.DataFrame) else load_register(extra))
        entries = register.entries.assign(variants=register.entries["variants"].map("; ".join))
        table = pd.concat([entries[["name", "role", "participant_id", "placeholder", "variants"]], table],
                          ignore_index=True)
    return table.drop_duplicates(["name", "role", "placeholder"]).fillna("")


def case_quotes(participant_id: str, transcripts_dir: str | Path, *, codebook=None, coding: str | Path | None = None,
                register=None, per_theme: int = 1) -> tuple[pd.DataFrame, int]:
    """The young person's own words: one or more short, complete sentences per theme from their interviews.

    Interviews are those whose header's ``Participant ID`` is ``participant_id``. Sentences are chosen by
    :func:`cm_research.qual.analysis.exemplar_quotes` from the human coding in ``coding`` or, without it, from the
    codebook's suggested codes (said so in ``basis``); only the young person's turns are used. Each quote is
    de-identified (:class:`cm_research.privacy.deidentify.Deidentifier`) against the names in every interview
    header of the folder plus ``register`` (a register file or table, optional). Returns (quotes, number of
    words flagged for review by the de-identifier).
    """
    from cm_research.privacy.deidentify import Deidentifier
    from cm_research.qual.analysis import exemplar_quotes
    from cm_research.qual.codebook import Codebook, load_codebook
    from cm_research.qual.coding import coded_segments, read_coding, suggestions_as_coding
    from cm_research.qual.suggest import suggest_codes
    from cm_research.qual.transcripts import Corpus, read_transcripts
    from cm_research.qual.workflow import SUGGESTED_BASIS

    columns = ["theme_label", "quote", "basis"]
    everyone = read_transcripts(transcripts_dir, errors="report")
    mine = [t for t in everyone.transcripts if t.participant_id.strip() == participant_id]
    if not mine:
        return pd.DataFrame(columns=columns), 0
    corpus = Corpus(mine)
    codebook = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    segments = corpus.segments("sentence")
    names = {t.transcript for t in mine}
    if coding:
        human = read_coding(coding, everyone, codebook)
        human = human[human["transcript"].isin(names)]
        coder = next(iter(dict.fromkeys(human["coder"])), None)
        coded = coded_segments(human[human["coder"] == coder], segments)
        basis = f"human coding by {coder}" if coder else "human coding (none of this young person's words coded)"
    else:
        coded = coded_segments(suggestions_as_coding(suggest_codes(segments, codebook)), segments)
        basis = SUGGESTED_BASIS
    coded = coded[coded["speaker_kind"] == "participant"] if "speaker_kind" in coded else coded
    if coded.empty:
        return pd.DataFrame(columns=columns), 0
    chosen = exemplar_quotes(coded, corpus.participants(), codebook, per_role=per_theme)
    engine = Deidentifier(_register_table(everyone, names, register))
    results = [engine.deidentify(q) for q in chosen["quote"]]
    quotes = pd.DataFrame({"theme_label": chosen["theme_label"], "quote": [r.text for r in results],
                           "basis": basis})
    return quotes.drop_duplicates("quote").reset_index(drop=True), int(sum(len(r.flags) for r in results))


def case_study(participant_id: str, data_dir: str | Path, transcripts_dir: str | Path | None = None, *,
               codebook=None, coding: str | Path | None = None, register=None, baseline: str = "baseline",
               post: str = "post", confidence: float = 0.95, quotes_per_theme: int = 1) -> CaseStudy:
    """Gather one young person's case study from an evaluation folder (and, optionally, its interviews).

    ``data_dir`` holds participants and outcomes (required) and sessions and attendance (each optional: the
    case study says what is missing). Raises :class:`CaseStudyError` when ``participant_id`` is not in the
    participants table or its row has problems; the message names only that id.
    """
    participant_id = str(participant_id).strip()
    data_dir = Path(data_dir)
    evaluation = load_evaluation(data_dir)
    people = evaluation.participants.data
    where = evaluation.participants.path.name
    match = people[people["participant_id"] == participant_id]
    if match.empty:
        held = evaluation.participants.quarantine
        if "participant_id" in held and (held["participant_id"].astype(str).str.strip() == participant_id).any():
            raise CaseStudyError(f"{participant_id} is in {where} but its row has problems; correct it (see the "
                                 "data-quality report) and run the case study again")
        raise CaseStudyError(f"{participant_id} is not in {where} (in {data_dir}); check the id against the "
                             "participants file")
    person = match.iloc[0]
    notes: list[str] = []
    outcomes = evaluation.outcomes.data
    note = _held_back_note(evaluation.outcomes, participant_id, "outcomes")
    notes += [note] if note else []

    attendance = pd.DataFrame(columns=["period_start", "period_end", "sessions_possible", "sessions_attended",
                                       "suspension_days", "attendance_pct"])
    loaded = _load_optional(data_dir, "attendance", evaluation.participants)
    if loaded is None:
        notes.append("There is no attendance table (attendance.csv), so attendance is shown only as measured at "
                     "each timepoint in the outcomes table.")
    else:
        attendance = attendance_by_period(loaded.data[loaded.data["participant_id"] == participant_id])
        note = _held_back_note(loaded, participant_id, "attendance")
        notes += [note] if note else []
        if attendance.empty:
            notes.append(f"The attendance table has no periods for {THIS_YOUNG_PERSON}.")

    sessions = pd.DataFrame(columns=["session_date", "minutes", "activity", "setting", "attended"])
    loaded = _load_optional(data_dir, "sessions", evaluation.participants)
    if loaded is None:
        notes.append("There is no sessions table (sessions.csv).")
    else:
        sessions = (loaded.data[loaded.data["participant_id"] == participant_id][list(sessions.columns)]
                    .sort_values("session_date").reset_index(drop=True))
        note = _held_back_note(loaded, participant_id, "sessions")
        notes += [note] if note else []

    scores, change = instrument_change(outcomes, participant_id, baseline, post, confidence)
    scores = _dated(scores, person, baseline, post, notes)
    quotes, flags = pd.DataFrame(columns=["theme_label", "quote", "basis"]), 0
    if transcripts_dir:
        quotes, flags = case_quotes(participant_id, transcripts_dir, codebook=codebook, coding=coding,
                                    register=register, per_theme=quotes_per_theme)
        if quotes.empty:
            notes.append(f"No interview with {THIS_YOUNG_PERSON} (a header `Participant ID:` with their id) was "
                         "found, or none of their sentences was coded.")
    synthetic = (data_dir / "SYNTHETIC.txt").exists() or participant_id.startswith("SYN-")
    return CaseStudy(participant_id=participant_id, site=str(person["site"]), person=person,
                     attendance=attendance, sessions=sessions, scores=scores, reliable_change=change,
                     quotes=quotes, quote_flags=flags, synthetic=synthetic, notes=notes)


def _dated(scores: pd.DataFrame, person: pd.Series, baseline: str, post: str, notes: list[str]) -> pd.DataFrame:
    """Scores without a date are placed at the mentoring start (baseline) or end (post), and the notes say so."""
    scores = scores.copy()
    scores["date"] = pd.to_datetime(scores["date"])
    scores["date_source"] = np.where(scores["date"].notna(), "outcomes", "")
    fallback = {baseline: person.get("start_date"), post: person.get("end_date")}
    missing = scores["date"].isna()
    for i in scores.index[missing]:
        when = fallback.get(scores.at[i, "timepoint"])
        if when is not None and pd.notna(when):
            scores.at[i, "date"] = when
            scores.at[i, "date_source"] = "mentoring dates"
    if missing.any():
        notes.append("Some scores have no date in the outcomes table; they are placed at the start or end of "
                     "mentoring (or left off the timeline when those dates are unknown).")
    return scores


def _fmt_date(when) -> str:
    return f"{when.day} {when:%B %Y}" if when is not None and pd.notna(when) else "not recorded"


def _num(x: float, digits: int = 1) -> str:
    return format_number(x, digits, trim_zero=True)


def describe_case(case: CaseStudy) -> list[str]:
    """A short prose timeline, one sentence or two per part, always about "this young person" (no id)."""
    p = case.person
    start, end = case.mentoring
    out = []
    reasons = p.get("referral_reasons")
    reasons = ", ".join(str(r).replace("_", " ") for r in reasons) if isinstance(reasons, (list, tuple)) else ""
    intro = f"This young person (year {p.get('year_group')}, {str(p.get('care_status')).replace('_', ' ')})"
    if p.get("group") != "mentored" or start is None:
        out.append(f"{intro} is in the comparison group: they were not mentored.")
    else:
        programme = str(p.get("programme") or "mentoring").replace("_", " ")
        referred = f" was referred ({reasons})" if reasons else " was referred"
        when = f" on {_fmt_date(p.get('referral_date'))}" if pd.notna(p.get("referral_date")) else ""
        ending = (f"to {_fmt_date(end)}" if end is not None else "and is still being mentored")
        flag = p.get("match_ended_early")
        early = "" if flag is None or pd.isna(flag) else (
            " The match ended early." if bool(flag) else (" The match ran to its planned end." if end is not None else ""))
        out.append(f"{intro}{referred}{when} and received {programme} from {_fmt_date(start)} {ending}.{early}")
    if not case.sessions.empty:
        attended = case.sessions[case.sessions["attended"].fillna(True).astype(bool)]
        hours = float(pd.to_numeric(attended["minutes"], errors="coerce").fillna(0).sum()) / 60
        top = attended["activity"].value_counts()
        favourites = " and ".join(str(a).replace("_", " ") for a in top.index[:2])
        out.append(f"{len(case.sessions)} sessions were planned and {len(attended)} attended ({_num(hours)} hours)"
                   + (f", mostly {favourites}." if favourites else "."))
    a = case.attendance.dropna(subset=["attendance_pct"])
    if not a.empty:
        first, last = a.iloc[0], a.iloc[-1]
        low = int((a["attendance_pct"] < PERSISTENT_ABSENCE_PCT).sum())
        out.append(f"Attendance was {_num(first['attendance_pct'])}% in the period starting "
                   f"{_fmt_date(first['period_start'])} and {_num(last['attendance_pct'])}% in the period starting "
                   f"{_fmt_date(last['period_start'])}; it was below {PERSISTENT_ABSENCE_PCT:g}% (persistent "
                   f"absence) in {low} of {len(a)} periods.")
        days = case.attendance["suspension_days"].fillna(0)
        if days.sum() > 0:
            periods = case.attendance.loc[days > 0, "period_start"]
            out.append(f"There were {_num(days.sum())} days of suspension, in the period"
                       f"{'s' if len(periods) > 1 else ''} starting "
                       f"{', '.join(_fmt_date(d) for d in periods)}.")
        else:
            out.append("No days of suspension were recorded.")
    for r in case.reliable_change.itertuples(index=False):
        if pd.isna(r.reliable_change):
            out.append(f"{r.title}: {r.note}.")
            continue
        out.append(f"{r.title}: {_num(r.baseline)} at baseline and {_num(r.post)} after (change {_num(r.change)}; "
                   f"{'lower' if r.better == 'lower' else 'higher'} is better): {r.reliable_change}, judged against "
                   f"a change of {_num(r.threshold)} points that measurement error alone would rarely produce.")
    if not case.quotes.empty:
        out.append(f"{len(case.quotes)} things {THIS_YOUNG_PERSON} said in interview are quoted below, "
                   "with names replaced.")
    return out


def _activity_colours(activities) -> dict[str, tuple]:
    names = sorted({str(a) for a in activities})
    colours = sns.color_palette(PALETTE, max(len(names), 1))
    return dict(zip(names, colours))


def case_study_figure(case: CaseStudy, figsize: tuple[float, float] = (10, 10.5)) -> plt.Figure:
    """One page, four panels on a shared time axis: attendance % per period (mentoring shaded, the 90% persistent
    absence line dashed), suspension days (bars), sessions (a strip coloured by activity; missed sessions as grey
    crosses) and instrument scores (▲ reliable improvement, ▼ reliable deterioration, ● no reliable change).
    The young person is called "this young person"; no id or name appears."""
    palette = sns.color_palette(PALETTE)
    fig, axes = plt.subplots(4, 1, figsize=figsize, sharex=True,
                             gridspec_kw={"height_ratios": [3, 1.4, 1.2, 3]}, layout="constrained")
    ax_att, ax_sus, ax_ses, ax_score = axes
    start, end = case.mentoring
    dates = [d for d in (list(case.attendance["period_start"]) + list(case.attendance["period_end"])
                         + list(case.sessions["session_date"]) + list(case.scores["date"].dropna())
                         + [start, end]) if d is not None and pd.notna(d)]
    if start is not None:
        shade_end = end if end is not None else max(dates)
        for ax in axes:
            ax.axvspan(start, shade_end, color=palette[2], alpha=0.12, lw=0)
        if end is not None:
            for ax in axes:
                ax.axvline(end, color="0.35", lw=1, ls=":")

    a = case.attendance
    if not a.empty:
        mids = a["period_start"] + (a["period_end"] - a["period_start"]) / 2
        ax_att.hlines(a["attendance_pct"], a["period_start"], a["period_end"], color=palette[0], lw=3)
        ax_att.plot(mids, a["attendance_pct"], color=palette[0], lw=1, marker="o", ms=4)
        widths = (a["period_end"] - a["period_start"]) * 0.8
        ax_sus.bar(mids, a["suspension_days"].fillna(0), width=widths, color=palette[3])
    else:
        ax_att.text(0.5, 0.5, "no attendance table", transform=ax_att.transAxes, ha="center", color="0.4")
        ax_sus.text(0.5, 0.5, "no attendance table", transform=ax_sus.transAxes, ha="center", color="0.4")
    ax_att.axhline(PERSISTENT_ABSENCE_PCT, color="0.3", ls="--", lw=1)
    ax_att.set_ylim(max(0, min([PERSISTENT_ABSENCE_PCT - 10, *a["attendance_pct"].dropna()]) - 5), 101)
    ax_att.set_ylabel("Attendance (%)")
    ax_att.set_title("Attendance per period")
    ax_att.legend(handles=[Line2D([], [], color=palette[0], lw=3, label="attendance in the period"),
                           Line2D([], [], color="0.3", ls="--", label="90%: below it is persistent absence"),
                           Patch(color=palette[2], alpha=0.25, label="mentoring"),
                           Line2D([], [], color="0.35", ls=":", label="match ended")],
                  loc="lower left", fontsize=8, ncol=2, frameon=False)
    ax_sus.set_ylabel("Days")
    ax_sus.set_title("Suspension days per period")
    ax_sus.set_ylim(0, max(3.0, float(a["suspension_days"].fillna(0).max() or 0) + 1))

    s = case.sessions
    colours = _activity_colours(s["activity"]) if not s.empty else {}
    if not s.empty:
        came = s["attended"].fillna(True).astype(bool)
        for activity, colour in colours.items():
            rows = s[came & (s["activity"].astype(str) == activity)]
            ax_ses.scatter(rows["session_date"], np.zeros(len(rows)), marker="|", s=500, color=colour,
                           label=activity.replace("_", " "))
        missed = s[~came]
        if len(missed):
            ax_ses.scatter(missed["session_date"], np.zeros(len(missed)), marker="x", s=40, color="0.5",
                           label="missed")
        ax_ses.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    else:
        ax_ses.text(0.5, 0.5, "no sessions recorded", transform=ax_ses.transAxes, ha="center", color="0.4")
    ax_ses.set_yticks([])
    ax_ses.set_ylim(-1, 1)
    ax_ses.set_title("Mentoring sessions, by activity")

    scores = case.scores.dropna(subset=["date"])
    marks = case.reliable_change.set_index("measure")["reliable_change"] if not case.reliable_change.empty else {}
    for k, (measure, rows) in enumerate(scores.groupby("measure", sort=False)):
        rows = rows.sort_values("date")
        colour = palette[(k + 4) % len(palette)]
        ax_score.plot(rows["date"], rows["value"], color=colour, lw=1.5, marker="o", ms=5,
                      label=str(rows["title"].iloc[0]))
        mark = marks.get(measure) if hasattr(marks, "get") else None
        if mark is not None and pd.notna(mark):
            last = rows.iloc[-1]
            ax_score.scatter([last["date"]], [last["value"]], marker=MARKERS[mark], s=160, color=colour,
                             edgecolor="black", zorder=3)
    if not scores.empty:
        catalogue = measures_catalogue()
        shown = catalogue.loc[catalogue.index.intersection(scores["measure"].unique())]
        low = min(float(shown["minimum"].min()), float(scores["value"].min())) if len(shown) else None
        high = max(float(shown["maximum"].max()), float(scores["value"].max())) if len(shown) else None
        if low is not None and high > low:
            ax_score.set_ylim(low - 0.03 * (high - low), high + 0.03 * (high - low))  # the scale's whole range
    else:
        ax_score.text(0.5, 0.5, "no instrument scores", transform=ax_score.transAxes, ha="center", color="0.4")
    handles, _ = ax_score.get_legend_handles_labels()
    handles += [Line2D([], [], ls="", marker=MARKERS[c], color="0.3", markeredgecolor="black", ms=9, label=c)
                for c in (IMPROVED, DETERIORATED, UNCHANGED)]
    ax_score.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    ax_score.set_ylabel("Score")
    ax_score.set_title("Questionnaire scores (reliable change from baseline to post)")
    if dates:
        pad = pd.Timedelta(days=10)
        ax_score.set_xlim(min(dates) - pad, max(dates) + pad)
    ax_score.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    fig.autofmt_xdate()
    label = "Case study of this young person" + (" (synthetic data)" if case.synthetic else "")
    fig.suptitle(f"{label} — NOT FOR PUBLICATION", fontsize=13)
    return fig


def figure_alt(case: CaseStudy) -> str:
    """Alt text for :func:`case_study_figure`, written from the case's numbers (no id)."""
    return "Timeline of " + THIS_YOUNG_PERSON + ": " + " ".join(describe_case(case))


def case_tables(case: CaseStudy) -> dict[str, pd.DataFrame]:
    """The case's tables as shown in the notebook: readable headings, dates as dd/mm/yyyy, no identifier columns."""
    def day(column: pd.Series) -> pd.Series:
        return pd.to_datetime(column).dt.strftime("%d/%m/%Y")

    a = case.attendance
    attendance = pd.DataFrame({"from": day(a["period_start"]), "to": day(a["period_end"]),
                               "sessions possible": a["sessions_possible"], "sessions attended": a["sessions_attended"],
                               "attendance %": a["attendance_pct"].astype(float).round(1),
                               "suspension days": a["suspension_days"]})
    s = case.sessions
    sessions = pd.DataFrame({"date": day(s["session_date"]), "minutes": s["minutes"],
                             "activity": s["activity"].astype(str).str.replace("_", " "), "setting": s["setting"],
                             "attended": s["attended"].map({True: "yes", False: "no"})})
    r = case.reliable_change
    change = pd.DataFrame({"measure": r["title"], "better": r["better"], "baseline": r["baseline"], "post": r["post"],
                           "change": r["change"], "RCI": r["rci"].astype(float).round(2),
                           "reliable change": r["reliable_change"],
                           "smallest reliable change": r["threshold"].astype(float).round(1), "note": r["note"]})
    return {"attendance": attendance, "sessions": sessions, "reliable_change": change,
            "quotes": case.quotes[["theme_label", "quote"]]}


CASE_STUDY_BANNER = ("Internal case study for the Virtual School: it describes one young person. Keep it on secure "
                     "systems and share it only with the team supporting them.")


def internal_banner_html(description: str = CASE_STUDY_BANNER) -> str:
    """The large banner that opens an internal notebook: NOT FOR PUBLICATION, then what it holds and how to
    keep it."""
    return ('<div role="note" style="border:4px solid #a40000;background:#fde8e8;color:#a40000;padding:1rem;'
            'margin:1rem 0;text-align:center"><div style="font-size:1.8em;font-weight:700">NOT FOR PUBLICATION'
            f'</div><div style="font-size:1.2em">{html.escape(description)}</div></div>')


def quotes_html(case: CaseStudy) -> str:
    """The young person's de-identified quotes as block quotes under their theme, with the coding basis and the
    number of words the de-identifier flagged for a person to check."""
    if case.quotes.empty:
        return "<p><em>No quotes: no interview with this young person was found, or none of their words was coded.</em></p>"
    parts = []
    for q in case.quotes.itertuples(index=False):
        parts.append(f'<p style="margin:.8rem 0 .2rem"><strong>{html.escape(str(q.theme_label))}</strong></p>'
                     f'<blockquote style="margin:0 0 0 1rem;border-left:3px solid #0072B2;padding-left:.6rem">'
                     f"“{html.escape(str(q.quote))}”</blockquote>")
    basis = str(case.quotes["basis"].iloc[0])
    parts.append(f"<p><small>Themes from {html.escape(basis)}.</small></p>")
    flagged = case.quote_flags
    parts.append(f"<p><small>{flagged} word{'s' if flagged != 1 else ''} in these quotes "
                 f"{'were' if flagged != 1 else 'was'} flagged by the de-identifier as possibly a name not in the "
                 "register: check before sharing.</small></p>" if flagged else
                 "<p><small>The de-identifier flagged no word in these quotes.</small></p>")
    return "\n".join(parts)
