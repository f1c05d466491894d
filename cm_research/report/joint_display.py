"""Joint display: each interviewed young person's measured change next to the themes of their interviews,
aggregated so no child can be picked out.

A joint display (Guetterman, Fetters & Creswell 2015, *Annals of Family Medicine* 13(6):554-561) puts the
quantitative and qualitative results of the same people side by side. Here the rows are themes (separately
for the young person's own interview and for the interviews of adults about them), the columns are change
categories, and a cell counts the young people in that category whose interviews were coded with that theme.
Only counts are published, and they go through small-number suppression (``cm_research.privacy``).
"""

from __future__ import annotations

import pandas as pd

from cm_research.dictionary import measures_catalogue
from cm_research.errors import CMResearchError
from cm_research.measures import measures_with_reliability
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts, suppression_note
from cm_research.qual.roles import role_name
from cm_research.stats.change import CATEGORIES as RELIABLE_CATEGORIES
from cm_research.stats.change import reliable_change_table

DIRECTION_CATEGORIES = ("improved", "no change", "worsened")
NOT_MEASURED = "not measured before and after"
OWN = "young person's own interview"


class JointDisplayError(CMResearchError):
    """The joint display cannot be built (unknown measure, links naming unknown transcripts...)."""


def change_categories(outcomes: pd.DataFrame, participants: pd.DataFrame, measure: str,
                      baseline: str = "baseline", post: str = "post", confidence: float = 0.95) -> pd.DataFrame:
    """Change category of every mentored young person on ``measure``: participant_id, category.

    With reliability metadata (e.g. SDQ total) the category is the Jacobson & Truax (1991) reliable-change
    class (|RCI| > z at ``confidence``); otherwise the direction of the raw change, read with the measure's
    ``better`` direction (improved / no change / worsened). Mentees without both values are
    ``not measured before and after``.
    """
    catalogue = measures_catalogue()
    if measure not in catalogue.index:
        raise JointDisplayError(f"joint display: measure {measure!r} is not in the measures catalogue; "
                                f"measures: {', '.join(catalogue.index)}")
    mentees = participants.loc[participants["group"] == "mentored", "participant_id"].drop_duplicates()
    rows = outcomes[(outcomes["measure"] == measure) & outcomes["participant_id"].isin(mentees)]
    if measure in measures_with_reliability():
        people = reliable_change_table(rows, measure, baseline, post, confidence=confidence, on_missing="note").people
        known = dict(zip(people.get("participant_id", []), people.get("reliable_change", [])))
    else:
        wide = rows.pivot_table(index="participant_id", columns="timepoint", values="value", aggfunc="first")
        known = {}
        if {baseline, post} <= set(wide.columns):
            diff = (wide[post] - wide[baseline]).dropna()
            sign = 1 if catalogue.loc[measure, "better"] == "higher" else -1
            known = {pid: DIRECTION_CATEGORIES[0] if sign * d > 0 else DIRECTION_CATEGORIES[2] if sign * d < 0
                     else DIRECTION_CATEGORIES[1] for pid, d in diff.items()}
    return pd.DataFrame({"participant_id": mentees.to_numpy(),
                         "category": [known.get(p, NOT_MEASURED) for p in mentees]})


def interview_themes(coded: pd.DataFrame, transcripts: pd.DataFrame, codebook_table: pd.DataFrame,
                     links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which themes each young person's interviews were coded with: participant_id, source, theme_label.

    Parameters
    ----------
    coded : coded segments (``ThematicResult.coded``: transcript, code).
    transcripts : one row per transcript with its role and participant key (``Corpus.participants()``); a
        mentee's key is the ``Participant ID`` of the transcript header.
    codebook_table : ``Codebook.table()`` (code, theme_label), to read codes as themes.
    links : optional table transcript, participant_id saying which young person an adult's interview (mentor,
        carer, social worker...) is about; without it only the young people's own interviews are used.

    ``source`` is "young person's own interview" or the interviewee's role ("mentor", "social worker"...).
    """
    about = transcripts.loc[transcripts["role"] == "mentee", ["transcript", "participant", "role"]]
    about = about.rename(columns={"participant": "participant_id"})
    if links is not None and not links.empty:
        unknown = sorted(set(links["transcript"]) - set(transcripts["transcript"]))
        if unknown:
            raise JointDisplayError(f"links: no transcript called {', '.join(map(repr, unknown))}; transcripts: "
                                    f"{', '.join(transcripts['transcript'])}")
        adults = links.merge(transcripts[["transcript", "role"]], on="transcript")
        about = pd.concat([about, adults[["transcript", "participant_id", "role"]]], ignore_index=True)
    themes = coded[["transcript", "code"]].merge(codebook_table[["code", "theme_label"]], on="code")
    out = about.merge(themes, on="transcript")
    out["source"] = [OWN if r == "mentee" else role_name(r) for r in out["role"]]
    return out[["participant_id", "source", "theme_label"]].drop_duplicates().reset_index(drop=True)


def joint_display(categories: pd.DataFrame, themes: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD,
                  suppress: bool = True) -> pd.DataFrame:
    """Counts of young people per (source, theme) x change category, with a total, suppressed for publication.

    The first row of each source, theme "(interviewed)", counts the young people with such an interview in
    each category; each theme row counts those among them whose interview was coded with the theme. Every
    row's categories sum to its ``total`` (each young person has one category), and those sums are the
    lines secondary suppression protects. Counts 1 to ``threshold`` show as ``c``.
    """
    merged = themes.merge(categories, on="participant_id", how="inner")
    order = [c for c in (*RELIABLE_CATEGORIES, *DIRECTION_CATEGORIES, NOT_MEASURED) if c in set(categories["category"])]
    interviewed = merged[["participant_id", "source", "category"]].drop_duplicates().assign(theme="(interviewed)")
    long = pd.concat([interviewed, merged.rename(columns={"theme_label": "theme"})], ignore_index=True)
    table = (long.drop_duplicates(["participant_id", "source", "theme"])
             .pivot_table(index=["source", "theme"], columns="category", values="participant_id", aggfunc="nunique",
                          fill_value=0)
             .reindex(columns=order, fill_value=0).astype(int))
    table["total"] = table.sum(axis=1)
    table = table.reset_index().rename_axis(columns=None)
    first = table["theme"] != "(interviewed)"
    table = table.assign(_own=table["source"] != OWN, _theme=first).sort_values(
        ["_own", "source", "_theme", "total", "theme"], ascending=[True, True, True, False, True]).drop(
        columns=["_own", "_theme"]).reset_index(drop=True)
    if table.empty:
        return table
    return suppress_counts(table, [*order, "total"], totals="total", threshold=threshold, suppress=suppress,
                           name="joint display")


def describe_joint_display(table: pd.DataFrame, measure_title: str) -> list[str]:
    """Plain-English sentences for a published joint display: who is in it and, for the young people's own
    interviews, each theme's share in each category where both counts are published. Association only."""
    if table.empty:
        return [f"No interviewed young person could be linked to a change category on {measure_title}, so there is "
                "no joint display."]
    categories = [c for c in table.columns if c not in ("source", "theme", "total")]
    base = table[(table["source"] == OWN) & (table["theme"] == "(interviewed)")]
    sentences = []
    if base.empty:
        return [f"No young person's own interview could be linked to their {measure_title} results."]
    base = base.iloc[0]
    if base["total"] == "c":
        sentences.append(f"Too few interviewed young people could be linked to their {measure_title} results to "
                         f"publish the joint display without risk of identifying them: every count is withheld.")
        return sentences
    parts = [f"{base[c]} {c}" for c in categories if base[c] != "c"]
    sentences.append(f"{base['total']} young people interviewed could be linked to their {measure_title} results"
                     + (f" ({'; '.join(parts)})" if parts else "") + ".")
    for _, row in table[(table["source"] == OWN) & (table["theme"] != "(interviewed)")].iterrows():
        shown = [f"{row[c]} of the {base[c]} in “{c}”" for c in categories
                 if row[c] != "c" and base[c] != "c" and base[c] > 0]
        if len(shown) >= 2:
            sentences.append(f"“{row['theme']}” came up in the own interviews of " + ", and ".join(shown) + ".")
    sentences.append("These are patterns among the few young people interviewed, not effects of mentoring: "
                     "who was interviewed was not random, and there is no comparison group. "
                     + suppression_note(table))
    return sentences
