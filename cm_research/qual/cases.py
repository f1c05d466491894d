"""Cases against a theme (negative cases) and themes by any participant attribute (site, role, age band ...).

Negative cases
--------------
A theme's account is tested by the cases that go against it. Here a participant's sentence goes *against*
a theme when it carries one of the theme's codes with ``negated`` true: for suggestions, a match the negation
check flagged ("I never felt listened to"); for human coding, a row the coder marked negated (an optional
``negated`` column in the coding file; without it every coded sentence counts *for* the theme). A
participant is a **negative case** when their sentences on the theme go only against it, and **mixed** when
they go both ways.

Queries by attribute
--------------------
:func:`theme_attribute_matrix` counts, for each theme and each value of an attribute, how many participants
raised the theme out of how many have that value, exactly as the theme x role matrix does for role. The
attribute is any column of the participants table (role, site, ...) or of an ``attributes`` table joined on
``participant`` (age band, placement type, cohort ...).
"""

from __future__ import annotations

import pandas as pd

from cm_research.qual.codebook import Codebook
from cm_research.qual.redact import redact_names
from cm_research.qual.roles import role_name

NEGATIVE_COLUMNS = ["theme", "theme_label", "case", "role", "site", "n_for", "n_against", "pattern",
                    "quotes_against"]


def negative_cases(rows: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook,
                   names: list[str] | None = None, quotes: int = 2) -> pd.DataFrame:
    """Participants whose sentences on a theme go against it (module docstring).

    ``rows``: suggestions (:func:`cm_research.qual.suggest.suggest_codes`) or coded segments, with
    participant, segment_id, code, text, and ``negated`` where known. Returns one row per theme and
    participant with at least one sentence against the theme: theme, theme_label, case (pseudonymous label),
    role, site, n_for, n_against (distinct sentences), pattern ("against only" = a negative case, or
    "mixed"), quotes_against (up to ``quotes`` sentences against, names redacted, " | "-joined).
    """
    if rows.empty:
        return pd.DataFrame(columns=NEGATIVE_COLUMNS)
    data = rows[~rows["is_interviewer"].astype(bool)] if "is_interviewer" in rows else rows
    against = (data["negated"].astype(bool) if "negated" in data else pd.Series(False, index=data.index))
    data = (data.drop(columns=["theme", "theme_label", "code_label"], errors="ignore")
            .assign(_against=against.to_numpy()).merge(codebook.code_theme_table(), on="code", how="inner"))
    # a sentence goes against a theme only when none of its codes of that theme goes for it
    per_sentence = data.groupby(["theme", "theme_label", "participant", "segment_id"], sort=False).agg(
        against=("_against", "all"), text=("text", "first")).reset_index()
    labels = participants.drop_duplicates("participant").set_index("participant")
    out = []
    for (theme, label, participant), block in per_sentence.groupby(["theme", "theme_label", "participant"],
                                                                  sort=False):
        n_against = int(block["against"].sum())
        if not n_against:
            continue
        n_for = len(block) - n_against
        said = [redact_names(t, names or []) for t in block.loc[block["against"], "text"].head(quotes)]
        out.append((theme, label, labels.loc[participant, "participant_label"],
                    role_name(labels.loc[participant, "role"]), labels.loc[participant, "site"], n_for, n_against,
                    "against only" if n_for == 0 else "mixed", " | ".join(said)))
    table = pd.DataFrame(out, columns=NEGATIVE_COLUMNS)
    order = {t.name: i for i, t in enumerate(codebook.themes)}
    return (table.assign(_t=table["theme"].map(order)).sort_values(["_t", "pattern", "case"])
            .drop(columns="_t").reset_index(drop=True))


def theme_attribute_matrix(coded: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook, by: str,
                           attributes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Themes by the values of a participant attribute.

    Returns theme, theme_label, ``by`` (each value of the attribute; participants without one are "not
    recorded"), n_segments, n_participants (with the theme), n_group_participants (with that value),
    share_participants = n_participants / n_group_participants. Every theme and value appears.
    """
    people = participants.drop_duplicates("participant")[["participant", *[c for c in participants.columns
                                                                         if c not in ("participant",)]]]
    if attributes is not None:
        if "participant" not in attributes.columns:
            raise ValueError("the attributes table needs a 'participant' column to join on")
        extra = attributes.drop_duplicates("participant")
        people = people.drop(columns=[c for c in extra.columns if c != "participant" and c in people.columns])
        people = people.merge(extra, on="participant", how="left")
    if by not in people.columns:
        raise ValueError(f"no participant attribute {by!r}; attributes are: {', '.join(sorted(people.columns))}")
    people = people.assign(**{by: people[by].fillna("not recorded").astype(str)})
    rows = coded[~coded["is_interviewer"].astype(bool)] if "is_interviewer" in coded else coded
    rows = (rows.drop(columns=[by], errors="ignore").merge(people[["participant", by]], on="participant")
            .merge(codebook.code_theme_table(), on="code", how="inner"))
    counted = rows.groupby(["theme", by]).agg(n_segments=("segment_id", "nunique"),
                                              n_participants=("participant", "nunique")).reset_index()
    values = sorted(people[by].unique())
    grid = pd.DataFrame([{"theme": t.name, "theme_label": t.label, by: v} for t in codebook.themes for v in values])
    out = grid.merge(counted, on=["theme", by], how="left").fillna({"n_segments": 0, "n_participants": 0})
    out[["n_segments", "n_participants"]] = out[["n_segments", "n_participants"]].astype(int)
    out["n_group_participants"] = out[by].map(people.groupby(by).size()).astype(int)
    out["share_participants"] = out["n_participants"] / out["n_group_participants"]
    return out[["theme", "theme_label", by, "n_segments", "n_participants", "n_group_participants",
                "share_participants"]]
