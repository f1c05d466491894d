"""Rank the available mentors for one young person by the interests they share.

The ranking is an aid for the Virtual School when it shows mentor profiles to a young person, who chooses;
it is never an automatic decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from cm_research.mentors._inputs import as_bool, mentor_capacity, require_columns, require_unique
from cm_research.mentors.errors import MentorDataError, NotEnoughPlacesError
from cm_research.mentors.profiles import format_tags, is_recorded, jaccard, parse_tags

NOTICE = ("Suggestions to discuss with the young person, ranked by shared interests: "
          "an aid to their choice, not a decision.")
#: profile columns passed through to the ranking when the mentors table has them
PROFILE_COLUMNS = ("site", "occupation", "interests", "skills", "about", "settings", "dbs_checked")


def _running(matches: pd.DataFrame, as_of: object | None) -> pd.Series:
    """Which matches are going on: no end date, or (with ``as_of``) started by and not ended before ``as_of``."""
    require_columns(matches, ["mentor_id", "match_end"] + (["match_start"] if as_of is not None else []), "matches")
    end = pd.to_datetime(matches["match_end"], dayfirst=True)
    if as_of is None:
        return end.isna()
    day = pd.Timestamp(as_of)
    start = pd.to_datetime(matches["match_start"], dayfirst=True)
    return (start <= day) & (end.isna() | (end > day))


def free_places(mentors: pd.DataFrame, matches: pd.DataFrame | None = None, *,
                as_of: object | None = None) -> pd.Series:
    """Places each mentor can offer now: ``capacity`` (empty = 1) minus the matches they are running, and 0
    for a mentor whose ``available`` is no (or empty). Indexed by ``mentor_id``, named ``places``.

    ``matches`` (optional) is the matches table; a match is running when it has no ``match_end`` or, when
    ``as_of`` is given, when it started on or before ``as_of`` and had not ended by then.
    """
    require_columns(mentors, ["mentor_id", "available"], "mentors")
    require_unique(mentors["mentor_id"], "mentor_id", "mentors")
    available = as_bool(mentors["available"], "available", "mentors").fillna(False).astype(bool)
    places = mentor_capacity(mentors).where(available, 0)
    places.index = mentors["mentor_id"].astype(str).to_numpy()
    if matches is not None and len(matches):
        busy = matches.loc[_running(matches, as_of), "mentor_id"].astype(str).value_counts()
        places = (places - busy.reindex(places.index, fill_value=0)).clip(lower=0)
    places.index.name = "mentor_id"
    return places.rename("places").astype(int)


def rank_mentors(
    mentee_interests: str | Iterable[str],
    mentors: pd.DataFrame,
    *,
    matches: pd.DataFrame | None = None,
    as_of: object | None = None,
    site: str | None = None,
    top: int | None = None,
    synonyms: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Available mentors ranked by the interests they share with one young person.

    Parameters
    ----------
    mentee_interests : the young person's interest tags, ``"football; drawing"`` or a list of tags.
    mentors : the mentors table (``mentor_id``, ``interests``, ``available``; ``capacity`` and the profile
        columns ``site``, ``occupation``, ``skills``, ``about``, ``settings``, ``dbs_checked`` when present).
    matches, as_of : the matches table, to leave out mentors whose places are all taken (see :func:`free_places`).
    site : only mentors of this site.
    top : keep the first ``top`` rows (all mentors tied with the last one kept are kept too).
    synonyms : tag variants to merge, e.g. ``{"footie": "football"}`` (see :mod:`cm_research.mentors.profiles`).

    Returns
    -------
    DataFrame
        One row per mentor with a free place: ``rank``, ``mentor_id``, ``n_shared`` (tags in common),
        ``shared_interest`` (Jaccard index |A ∩ B| / |A ∪ B| of the two sets of interest tags),
        ``shared_interests`` (the tags in common), ``places``, then the profile columns. ``attrs["notice"]``
        says the list is a suggestion for discussion with the young person.

    Notes
    -----
    Rows are ordered by ``shared_interest`` (highest first). Mentors with the same score share a rank and the
    next rank is skipped (1, 2, 2, 4: "competition" ranking), so no mentor appears better than another with
    the same score. Within a tie, the mentor with more tags in common comes first (Jaccard favours mentors
    with short lists), then the order of the mentors table: the sort is stable, so the same input always
    gives the same order.

    Raises
    ------
    MentorDataError
        When the young person has no interests recorded (a ranking by shared interests would be meaningless:
        record them first, or show every profile).
    NotEnoughPlacesError
        When no mentor (of ``site``) has a free place.
    """
    if not is_recorded(mentee_interests):
        raise MentorDataError("no interests are recorded for this young person, so mentors cannot be ranked by "
                              "shared interests; record what they enjoy first, or show them every profile")
    require_columns(mentors, ["mentor_id", "interests", "available"], "mentors")
    places = free_places(mentors, matches, as_of=as_of)
    pool = mentors.assign(places=places.to_numpy())
    if site is not None:
        require_columns(mentors, ["site"], "mentors")
        pool = pool[pool["site"].astype(str).str.casefold() == str(site).casefold()]
    pool = pool[pool["places"] > 0]
    if pool.empty:
        where = f" at {site}" if site is not None else ""
        raise NotEnoughPlacesError(
            f"no mentor{where} has a free place (every mentor is marked unavailable or has as many young people "
            "as their capacity); recruit mentors or update `available` and `capacity` in the mentors table",
            n_mentees=1, n_places=0)
    mentee = parse_tags(mentee_interests, synonyms)
    shared = [sorted(mentee & parse_tags(v, synonyms)) for v in pool["interests"]]
    out = pd.DataFrame({
        "mentor_id": pool["mentor_id"].astype(str).to_numpy(),
        "n_shared": [len(s) for s in shared],
        "shared_interest": [jaccard(mentee, v, synonyms) for v in pool["interests"]],
        "shared_interests": [format_tags(s) for s in shared],
        "places": pool["places"].to_numpy(),
    })
    for column in PROFILE_COLUMNS:
        if column in pool:
            values = pool[column].to_numpy()
            out[column] = [format_tags(v) if isinstance(v, (tuple, list)) else v for v in values]
    out = out.sort_values(["shared_interest", "n_shared"], ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", out["shared_interest"].rank(method="min", ascending=False).astype(int))
    if top is not None:
        out = out[out["rank"] <= out["rank"].iloc[min(top, len(out)) - 1]] if top > 0 else out.iloc[:0]
    out.attrs["notice"] = NOTICE
    return out


def suggestions_for_each(
    mentees: pd.DataFrame,
    mentors: pd.DataFrame,
    *,
    mentee_id: str = "participant_id",
    interests: str = "interests",
    matches: pd.DataFrame | None = None,
    as_of: object | None = None,
    top: int = 3,
    synonyms: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The first ``top`` mentor profiles (ties kept) for each young person in ``mentees``, as one tidy table.

    Each young person's rows are :func:`rank_mentors` of their own interests among mentors of their own site
    (when both tables have ``site``), with ``mentee_id`` first. A young person whose interests are not recorded
    is listed with an empty ``mentor_id`` and a ``note`` saying so, never dropped. ``attrs["notice"]`` is
    :data:`NOTICE`.
    """
    require_columns(mentees, [mentee_id, interests], "mentees")
    require_unique(mentees[mentee_id], mentee_id, "mentees")
    by_site = "site" in mentees and "site" in mentors
    frames = []
    for _, person in mentees.iterrows():
        if not is_recorded(person[interests]):
            frames.append(pd.DataFrame([{mentee_id: person[mentee_id], "mentor_id": None,
                                         "note": "no interests recorded: show every profile"}]))
            continue
        ranked = rank_mentors(person[interests], mentors, matches=matches, as_of=as_of,
                              site=person["site"] if by_site else None, top=top, synonyms=synonyms)
        ranked.insert(0, mentee_id, person[mentee_id])
        frames.append(ranked.assign(note=""))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[mentee_id, "mentor_id", "note"])
    out.attrs["notice"] = NOTICE
    return out


def mentor_places(mentors: pd.DataFrame, matches: pd.DataFrame | None = None, *, as_of: object | None = None,
                  site: str | None = None) -> pd.DataFrame:
    """The mentors table with ``places`` (free places on ``as_of``, see :func:`free_places`) and list columns
    written as ``"a; b"`` for display; only mentors of ``site`` when given."""
    out = mentors.assign(places=free_places(mentors, matches, as_of=as_of).to_numpy())
    if site is not None and "site" in out:
        out = out[out["site"].astype(str).str.casefold() == str(site).casefold()]
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, (tuple, list))).any():
            out[column] = out[column].map(lambda v: format_tags(v) if isinstance(v, (tuple, list)) else v)
    return out.reset_index(drop=True)
