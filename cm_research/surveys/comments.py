"""Free-text survey answers: suggested codes from a codebook, counts by respondent role, and short quotes.

The codes come from the same keyword machinery as the interviews (``cm_research.qual.suggest``): they are
*suggestions for the analyst to review*, never the coding itself, and every table here says so in
``basis``. Each comment is one segment. Counts are of respondents, published through small-number
suppression; quotes are short, de-identified (``cm_research.privacy.deidentify``) and dropped when the
de-identifier flags a possible name it could not resolve.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cm_research.privacy.deidentify import Deidentifier
from cm_research.privacy.register import Register, make_register
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.qual.codebook import Codebook, load_codebook
from cm_research.qual.suggest import suggest_codes
from cm_research.qual.tokens import words
from cm_research.contract import require_columns
from cm_research.surveys.errors import SurveyDataError

__all__ = ["BARRIERS_CODEBOOK", "COMMENTS_BASIS", "RESPONDENT_ROLES", "code_counts_by_role", "comment_quotes",
           "comment_segments", "load_barriers_codebook", "role_label", "suggest_comment_codes"]

BARRIERS_CODEBOOK = Path(__file__).resolve().parent / "data" / "barriers_codebook.yaml"
COMMENTS_BASIS = ("suggested codes: keyword matches that no analyst has reviewed. They show where to look, not "
                  "what people meant")
#: The respondent roles of survey_responses, in reporting order, with how they read in a table.
RESPONDENT_ROLES = {"young_person": "young people", "carer": "carers", "mentor": "mentors", "teacher": "teachers",
                    "social_worker": "social workers", "other": "others"}


def role_label(role: str) -> str:
    """How a respondent role reads as a column heading ("young_person" -> "young people")."""
    return RESPONDENT_ROLES.get(role, str(role).replace("_", " "))


def load_barriers_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook for barriers comments: ``path``, or the bundled ``barriers_codebook.yaml``."""
    return load_codebook(path or BARRIERS_CODEBOOK)


def comment_segments(comments: pd.DataFrame, roles: pd.Series) -> pd.DataFrame:
    """One segment per comment, in the shape ``cm_research.qual.suggest.suggest_codes`` reads.

    Parameters
    ----------
    comments : the survey_comments table (respondent_id, wave, question, answer).
    roles : each respondent's role, indexed by respondent id (``Survey.roles``).

    Returns
    -------
    segment_id (``C001``, ``C002``... in file order: no respondent id), transcript (``"survey_comments"``),
    participant (the respondent id: keep restricted), role, site (empty), wave, question, start, end, text.
    """
    require_columns(comments, ["respondent_id", "wave", "question", "answer"], "comment_segments")
    unknown = sorted(set(comments["respondent_id"].astype(str)) - set(roles.index.astype(str)))
    if unknown:
        raise SurveyDataError(f"comment_segments: {len(unknown)} commenter(s) have no role because they are not in "
                              "survey_responses; add their answers there or correct the id")
    text = comments["answer"].astype(str).str.strip()
    return pd.DataFrame({
        "segment_id": [f"C{i:03d}" for i in range(1, len(comments) + 1)],
        "transcript": "survey_comments",
        "participant": comments["respondent_id"].astype(str).to_numpy(),
        "role": comments["respondent_id"].astype(str).map(roles.astype(str)).to_numpy(),
        "site": "",
        "wave": comments["wave"].astype(str).to_numpy(),
        "question": comments["question"].astype(str).to_numpy(),
        "start": 0,
        "end": text.str.len().to_numpy(),
        "text": text.to_numpy(),
    })


def suggest_comment_codes(segments: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Suggested codes for each comment (:func:`cm_research.qual.suggest.suggest_codes`), with wave and question.

    Every row has ``source`` = "suggestion" and ``status`` = "suggested - not reviewed"; ``negated`` marks a
    match preceded by a negation ("cost was never a problem").
    """
    codebook = codebook or load_barriers_codebook()
    found = suggest_codes(segments, codebook)
    extra = segments.set_index("segment_id")[["wave", "question"]]
    return found.join(extra, on="segment_id")


def code_counts_by_role(
    suggestions: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    groups: dict[str, str] | None = None,
    include_negated: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
    suppress: bool = True,
) -> pd.DataFrame:
    """Respondents with each suggested code, by role: a table to publish, small counts suppressed.

    Parameters
    ----------
    suggestions, segments : from :func:`suggest_comment_codes` and :func:`comment_segments`.
    codebook : the codebook the suggestions came from (every code gets a row, zeros included).
    groups : role -> column heading, to combine roles into fewer, larger columns (e.g. every adult role into
        "adults") so that fewer cells need suppressing; default one column per role present (:func:`role_label`).
    include_negated : count suggestions flagged as negated too (default: left out).
    threshold, suppress : small-number suppression (counts 1..threshold shown as ``c``).

    Returns
    -------
    One row per code (theme, theme_label, code, code_label), one column per role or group and ``all
    respondents``; each cell counts respondents with at least one comment carrying the code (a respondent has
    one role, so the columns add up to the total, and secondary suppression protects that sum; see
    :func:`cm_research.privacy.suppression.suppress_counts`). ``attrs["basis"]`` says the counts rest on
    unreviewed suggestions.
    """
    present = [r for r in RESPONDENT_ROLES if r in set(segments["role"])]
    present += sorted(set(segments["role"]) - set(present))
    groups = dict(groups) if groups else {r: role_label(r) for r in present}
    missing = [r for r in present if r not in groups]
    if missing:
        raise SurveyDataError(f"code_counts_by_role: `groups` does not say where role(s) {', '.join(missing)} go; "
                              f"give a column for every role present ({', '.join(present)})")
    shown = list(dict.fromkeys(groups[r] for r in present))
    keep = suggestions if include_negated else suggestions[~suggestions["negated"].astype(bool)]
    people = keep.assign(group=keep["role"].map(groups)).drop_duplicates(["code", "participant"])
    counts = people.groupby(["code", "group"]).size().unstack("group").reindex(columns=shown)
    grid = codebook.code_theme_table()[["theme", "theme_label", "code", "code_label"]]
    table = grid.join(counts, on="code")
    table[shown] = table[shown].fillna(0).astype(int)
    table["all respondents"] = table[shown].sum(axis=1)
    out = suppress_counts(table, [*shown, "all respondents"], totals={"all respondents": shown},
                          threshold=threshold, suppress=suppress, name="comment codes by role")
    out.attrs["basis"] = COMMENTS_BASIS
    return out


def _register(register: Register | pd.DataFrame | str | Path | None) -> Register:
    if register is None:
        return make_register(pd.DataFrame(columns=["name", "role"]), "no register")
    return register


def comment_quotes(
    suggestions: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    register: Register | pd.DataFrame | str | Path | None = None,
    per_code: int = 1,
    max_words: int = 25,
    max_quotes: int = 8,
) -> pd.DataFrame:
    """A few short comments that illustrate the suggested codes, de-identified, attributed by role only.

    For each code (taking the themes in turn: each theme's first code, then each theme's second ...) the first
    ``per_code`` comments of at most ``max_words`` words carrying it
    (not negated) are taken, each comment at most once, up to ``max_quotes``. Each is de-identified with
    :class:`cm_research.privacy.deidentify.Deidentifier` against ``register`` (names of young people, carers,
    schools...; None for patterns only: e-mail, phone, postcode, UPN, dates of birth, addresses); a comment the
    de-identifier flags (a capitalised word that may be a name) is skipped, never shown unresolved.

    Returns code_label, theme_label, role (its label), wave, comment; ``attrs["n_skipped_flagged"]`` counts
    comments skipped for a flag.
    """
    engine = Deidentifier(_register(register))
    keep = suggestions[~suggestions["negated"].astype(bool)]
    by_segment = segments.set_index("segment_id")
    labels = codebook.code_theme_table().drop_duplicates("code").set_index("code")
    used: set[str] = set()
    rows, skipped = [], 0
    # Round-robin over themes (first code of each theme, then the second ...) so a few quotes span the themes.
    by_theme = [[c.name for c in t.codes] for t in codebook.themes]
    order = [codes[i] for i in range(max(map(len, by_theme))) for codes in by_theme if i < len(codes)]
    for code in dict.fromkeys(order):
        taken = 0
        for segment_id in keep.loc[keep["code"] == code, "segment_id"]:
            if taken >= per_code or len(rows) >= max_quotes:
                break
            if segment_id in used:
                continue
            seg = by_segment.loc[segment_id]
            if len(words(seg["text"])) > max_words:
                continue
            result = engine.deidentify(seg["text"])
            used.add(segment_id)
            if len(result.flags):
                skipped += 1
                continue
            rows.append({"code_label": labels.at[code, "code_label"], "theme_label": labels.at[code, "theme_label"],
                         "role": role_label(seg["role"]), "wave": seg["wave"], "comment": result.text})
            taken += 1
    out = pd.DataFrame(rows, columns=["code_label", "theme_label", "role", "wave", "comment"])
    out.attrs["n_skipped_flagged"] = skipped
    return out
