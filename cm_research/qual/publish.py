"""Interview results fit to publish: counts of interviewees follow the count rule, quotes never point at one person.

Statistical disclosure control (the DfE's rule for children-looked-after statistics, counts from 1 to 5
suppressed; ONS and NHS Digital guidance on small cells) applies to interviews as to any count of people. And a
quote attributed to "the social worker, Easton", when one social worker was interviewed at Easton, names that
person to anyone who knows the service (the Government Social Research and UK Data Service guidance on
anonymising qualitative data: attribute quotes at a level where no reader can tell who spoke). So, for a run for
publication, :func:`publish_thematic` returns the thematic result with:

- every count of people (interviewees by role and site, participants raising a theme or code, participants with
  two codes, participants using a word) from 1 to ``threshold`` shown as ``c``, with shares of suppressed counts
  withheld, and the sentences' "(k of n)" left out where k, n or n - k is that small;
- quotes (and keyword-in-context rows) of a role with fewer than ``pool_below`` people interviewed at a site
  attributed to a pooled label -- "a professional working with the young person" for adults, "a young person"
  for mentees -- with no site; ``pooled`` says which, and :func:`pooling_note` is the sentence the report shows;
- names spoken inside quotes replaced from the register of participants and staff as well as the transcript
  headers (``names``);
- nothing that points back at one interview beside what it says: quotes and keyword-in-context rows
  (:func:`publish_concordance`) lose their transcript, segment and offsets, and the tables with one row per
  interview (coverage, the saturation curve) keep their numbers without the interview's file, case, role, site
  or date -- otherwise counting rows would give back the suppressed interview counts;
- the negative cases as one row per theme (:func:`negative_cases_summary`): interviewees with sentences against
  it, negative cases and mixed, each a count of people suppressed like any other (a row per interviewee, however
  anonymous, counts them: three rows under a theme are three people);
- the saturation curve as its shape only (:func:`saturation_curve_shape`): interview number, new codes and codes
  so far, without the codes each interview added or how many it held (with the interview schedule known, the
  order points at the person). The Guest et al. summary (base, run, threshold, saturation point) stays.

The full negative-cases table (with the sentences against) and the full curve are kept in ``restricted`` on the
result, which :func:`cm_research.qual.workflow.write_outputs` writes to ``restricted/`` only.

Every table is a :class:`~cm_research.privacy.contract.SuppressedTable`.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from cm_research.privacy.contract import SuppressedTable
from cm_research.privacy.derived import withhold_said_by
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED, certify, suppress_counts
from cm_research.qual.redact import redact_names
from cm_research.qual.roles import role_name

#: default: quotes of a role with fewer than this many people interviewed at a site are pooled
POOL_BELOW = 3
POOLED_LABEL = "a professional working with the young person"
POOLED_YOUNG_LABEL = "a young person"
YOUNG_ROLES = frozenset({"mentee", "young person", "young_person"})
#: people-count columns of each thematic table; other numbers (sentences, words, ngram length) are not people
PEOPLE_COUNTS = {
    "interviews": ["interviews"],
    "theme_role_matrix": ["n_participants", "n_role_participants"],
    "code_counts_by_role": ["n_participants", "n_role_participants"],
    "cooccurrence_participants": ["n"],
    "word_frequencies": ["n_participants"],
    "themes_by_site": ["n_participants", "n_group_participants"],
}
#: columns named like counts of people that are not: an n-gram's length, a number of sentences
NOT_PEOPLE = {"word_frequencies": ["n"], "cooccurrence_segments": ["n"], "negative_cases": ["sentences_against"],
              "saturation_curve": ["n_new"], "saturation_runs": ["n_new"]}
#: columns that point back at one interview (its file name, label, offsets in it): never published beside a quote
SOURCE_COLUMNS = ("participant_label", "transcript", "segment_id", "start", "end", "context_start", "context_end")
#: tables with one row per interviewee (role, site, case): published without who (:func:`anonymous_cases`)
PER_CASE = ("framework_overview",)
#: published negative cases, one row a theme: counts of interviewees (people) and of their sentences against it
NEGATIVE_SUMMARY_COLUMNS = ["theme", "theme_label", "interviewees_against", "against_only", "mixed",
                            "sentences_against"]
#: published saturation curve: its shape, one row an interview in the order done, nothing about who or what
SHAPE_COLUMNS = ["order", "n_new", "cumulative"]
_K_OF_N = re.compile(r"\s*\((\d+) of (\d+)\)")


def _mask(table: pd.DataFrame, columns: list[str], threshold: int) -> pd.DataFrame:
    out = table.copy()
    for column in columns:
        if column in out:
            out[column] = [SUPPRESSED if not isinstance(v, str) and pd.notna(v) and 1 <= v <= threshold else v
                           for v in out[column]]
    if "share_participants" in out:  # a share of a suppressed count would give it back
        hidden = pd.Series(False, index=out.index)
        for column in columns:
            if column in out:
                hidden |= out[column].astype(str) == SUPPRESSED
        out["share_participants"] = out["share_participants"].astype(object).mask(hidden, SUPPRESSED)
    return out


def small_groups(interviews: pd.DataFrame, pool_below: int = POOL_BELOW) -> set[tuple[str, str]]:
    """(role, site) pairs with fewer than ``pool_below`` people interviewed (``interviews`` before suppression;
    role as the raw role code or its name)."""
    return {(str(r.role), str(r.site)) for r in interviews.itertuples() if int(r.interviews) < pool_below}


def pool_attributions(table: pd.DataFrame, small: set[tuple[str, str]], *, pooled_label: str = POOLED_LABEL,
                      young_label: str = POOLED_YOUNG_LABEL) -> pd.DataFrame:
    """``table`` (with role and site columns) with the rows of small (role, site) groups pooled: role set to
    the pooled label, site blank, ``pooled`` True; ``attribution`` is what a reader sees ("mentor, Easton")."""
    out = table.copy()
    small_named = {(role_name(role), site) for role, site in small}
    pooled = [(role_name(str(r)), str(s)) in small_named for r, s in zip(out["role"], out["site"])]
    out["pooled"] = pooled
    young = out["role"].astype(str).str.lower().isin(YOUNG_ROLES | {role_name(r).lower() for r in YOUNG_ROLES})
    out["attribution"] = [
        (young_label if y else pooled_label) if p else f"{role_name(str(r))}, {s}"
        for r, s, p, y in zip(out["role"], out["site"], out["pooled"], young)]
    out.loc[out["pooled"], "role"] = [young_label if y else pooled_label for y in young[out["pooled"]]]
    out.loc[out["pooled"], "site"] = ""
    return out


#: what a per-case row is attributed to in a run for publication (see :func:`anonymous_cases`)
CASE_LABEL = "an interviewee"


def anonymous_cases(table: pd.DataFrame, name: str = "") -> pd.DataFrame:
    """A table with one row per interviewee (per theme, for negative cases), as published: no case, role or site,
    attributed to :data:`CASE_LABEL`, in an order that follows no file, site or date (most coded first).

    Counting its rows by attribution counts people. Round 4 found the demo's framework overview with 4 rows "a
    young person" and 8 "a professional working with the young person": the interviews table hides every
    interview count as c (each at least 1), and its 8 adult (role, site) cells at least 1 each add up to 8, so
    every one of them was exactly 1 (and one site had 2 of the 4 mentees). Pooled labels protect a quote, which
    is not one per person; they do not protect a table whose rows are the people. The per-case numbers stay
    (the Framework Method's overview); who each row is goes, like the coverage and saturation tables' rows."""
    out = table.copy()
    for column in ("case", "role", "site"):
        if column in out:
            out[column] = ""
    out["pooled"] = True
    out["attribution"] = CASE_LABEL
    numbers = [c for c in out.columns if c not in ("case", "role", "site", "pooled", "attribution")
               and pd.api.types.is_numeric_dtype(out[c])]
    keys = (["theme"] if "theme" in out else []) + numbers
    if keys:
        order = out["theme"].drop_duplicates().tolist() if "theme" in out else []
        rank = out["theme"].map({t: i for i, t in enumerate(order)}) if order else None
        out = (out.assign(_theme=rank) if rank is not None else out).sort_values(
            (["_theme"] if rank is not None else []) + numbers,
            ascending=[True] * (rank is not None) + [False] * len(numbers), kind="stable")
        out = out.drop(columns=[c for c in ("_theme",) if c in out]).reset_index(drop=True)
    return out


def negative_cases_summary(table: pd.DataFrame, themes: list[tuple[str, str]] | None = None, *,
                           threshold: int = DEFAULT_THRESHOLD, name: str = "negative_cases") -> SuppressedTable:
    """Negative cases as published: one row per theme with interviewees_against (people with at least one
    sentence against the theme), against_only (negative cases), mixed, and sentences_against.

    ``table`` is :func:`cm_research.qual.cases.negative_cases` (one row per theme and interviewee); ``themes``
    [(theme, label)] in the codebook's order, so a theme nobody spoke against shows 0 rather than disappearing.
    The three people counts are suppressed with interviewees_against = against_only + mixed as their total
    (secondary suppression: a shown total beside one hidden part would give the other back). sentences_against is
    withheld where interviewees_against is: sentences are at least as many as the people who said them, so 1 or 2
    sentences would bound a hidden count of people (1 sentence: exactly 1 person).

    Why not a row per interviewee, even anonymous: counting a theme's rows counts the people against it (the
    demo's themes had 1 to 5 each), which is the count the rule hides."""
    rows = []
    order = themes or list(dict.fromkeys(zip(table["theme"], table["theme_label"])))
    for theme, label in order:
        block = table[table["theme"] == theme]
        only = int((block["pattern"] == "against only").sum())
        rows.append({"theme": theme, "theme_label": label, "interviewees_against": len(block),
                     "against_only": only, "mixed": len(block) - only,
                     "sentences_against": int(pd.to_numeric(block["n_against"]).sum())})
    summary = pd.DataFrame(rows, columns=NEGATIVE_SUMMARY_COLUMNS)
    published = suppress_counts(summary, ["against_only", "mixed", "interviewees_against"],
                                totals="interviewees_against", threshold=threshold, name=name)
    hidden = published["interviewees_against"].astype(str) == SUPPRESSED
    sentences = published["sentences_against"].astype(object).mask(hidden, SUPPRESSED)
    out = pd.DataFrame(published).assign(sentences_against=sentences)
    return certify(out, ["interviewees_against", "against_only", "mixed"], threshold=threshold, name=name,
                   not_people=("sentences_against",),
                   reason=(f"Interviewees with sentences against a theme, counts from 1 to {threshold}, are shown "
                           "as c, with their sentences."))


def saturation_curve_shape(curve: pd.DataFrame, name: str = "saturation_curve") -> SuppressedTable:
    """The saturation curve as published: order (interviews in the order done), n_new (codes first found in it)
    and cumulative (distinct codes so far) -- the curve and the bars the figure draws, and everything Guest et
    al.'s (2020) base / run / threshold assessment needs.

    Left out: new_codes (which codes each interview added) and n_codes (how many codes it held). With an
    interview schedule known (the order is the order done; a service knows who was interviewed when), the
    fourth row is one known person, and "interview 4 added: distrust of social workers" says what they raised.
    The transcript, case, role and date columns stay, empty, so tables that drop them still read."""
    out = curve.assign(**{c: "" for c in ("transcript", "case", "role", "date") if c in curve})
    out = out[[c for c in ("order", "transcript", "case", "role", "date") if c in out] +
              [c for c in SHAPE_COLUMNS if c != "order" and c in out]]
    return certify(out, [], name=name, not_people=("n_new",),
                   reason="The curve's shape only: which codes each interview added, and how many it held, are "
                          "in restricted/.")


def publish_concordance(kwic: pd.DataFrame, small: set[tuple[str, str]], *, pooled_label: str = POOLED_LABEL,
                        young_label: str = POOLED_YOUNG_LABEL) -> pd.DataFrame:
    """Keyword-in-context rows fit to publish: attributed as quotes are (:func:`pool_attributions`), and without the
    transcript, segment and offsets, which name the interview (a file such as ``04_northshire_vsh`` is one known
    person, and would undo the pooling)."""
    out = pool_attributions(kwic, small, pooled_label=pooled_label, young_label=young_label)
    return out.drop(columns=[c for c in SOURCE_COLUMNS if c in out])


def pooling_note(quotes: pd.DataFrame, pool_below: int = POOL_BELOW, pooled_label: str = POOLED_LABEL,
                 young_label: str = POOLED_YOUNG_LABEL) -> str:
    """The sentence the report shows when any quote was pooled ('' otherwise)."""
    if "pooled" not in quotes or not quotes["pooled"].astype(bool).any():
        return ""
    labels = " or ".join(f"“{label}”" for label in dict.fromkeys(quotes.loc[quotes["pooled"].astype(bool),
                                                                             "attribution"]))
    return (f"Where fewer than {pool_below} people of a role were interviewed at a site, their quotes are "
            f"attributed to {labels}, without the site, so that no quote points at one person.")


def register_names(register) -> list[str]:
    """The names (full, given, surname, variants) of a participant and staff register (a path, a table or a
    :class:`~cm_research.privacy.register.Register`; None gives none), for replacing names spoken in quotes.
    Names that are also ordinary words ("Hope", "Will") are left out, as the register marks them."""
    if register is None or (isinstance(register, str) and not register):
        return []
    from cm_research.privacy.register import Register, load_register, make_register

    if not isinstance(register, Register):
        register = make_register(register) if isinstance(register, pd.DataFrame) else load_register(register)
    return sorted({f.text for f in register.name_forms() if not f.also_a_word}, key=len, reverse=True)


def publish_thematic(result, *, threshold: int = DEFAULT_THRESHOLD, pool_below: int = POOL_BELOW,
                     pooled_label: str = POOLED_LABEL, young_label: str = POOLED_YOUNG_LABEL,
                     names: list[str] | None = None, suppress: bool = True):
    """The :class:`~cm_research.qual.workflow.ThematicResult` with its tables made publishable (module docstring).

    ``names``: further names to replace inside quotes (e.g. a register's participant and staff names). With
    ``suppress=False`` the tables are returned as they are, marked as not suppressed."""
    tables = dict(result.tables)
    raw = tables.get("interviews")
    small = set()
    if raw is not None and not raw.empty:
        small = small_groups(raw, pool_below)
    out: dict[str, pd.DataFrame] = {}
    restricted: dict[str, pd.DataFrame] = dict(getattr(result, "restricted", {}) or {})
    for name, table in tables.items():
        counts = PEOPLE_COUNTS.get(name, [])
        if not suppress:
            out[name] = certify(table, [], suppress=False, name=name)
            continue
        if name == "interviews":
            table = suppress_counts(table, ["interviews"], threshold=threshold, name=name)
            words = [("c" if n == SUPPRESSED else w) for n, w in zip(table["interviews"], table["participant_words"])]
            table = table.to_frame().assign(participant_words=words)  # one person's words describe them
        elif name == "themes_generated_by":
            table = table.assign(sentence=[_K_OF_N.sub(lambda m: "" if (1 <= int(m.group(1)) <= threshold or
                                                                         1 <= int(m.group(2)) <= threshold or
                                                                         1 <= int(m.group(2)) - int(m.group(1))
                                                                         <= threshold)
                                                        else m.group(0), s) for s in table["sentence"]])
        elif name == "quotes" and not table.empty:
            display = table.get("quote_display", table["quote"])
            extra = sorted(set(names or []), key=len, reverse=True)
            table = table.assign(quote_display=[redact_names(q, extra) for q in display])
            if "context_display" in table:  # the sentence around the quote (i16): the same names replaced
                table = table.assign(context_display=[redact_names(q, extra) if isinstance(q, str) else q
                                                      for q in table["context_display"]])
            table = pool_attributions(table, small, pooled_label=pooled_label, young_label=young_label)
            table = table.drop(columns=[c for c in (*SOURCE_COLUMNS, "quote", "context") if c in table])
        elif name == "coverage":  # one row an interview: counting rows by role and site would give back the
            # interview counts suppressed above, and the file name points at the person; so the numbers only,
            # in an order (most coded first) that follows no file, site or date
            table = table.drop(columns=[c for c in ("participant_label",) if c in table])
            table = table.assign(**{c: "" for c in ("transcript", "case", "role", "site") if c in table})
            if "pct_coded" in table:
                table = table.sort_values("pct_coded", ascending=False, kind="stable").reset_index(drop=True)
        elif name == "saturation_curve":  # one row an interview, in the order done: the shape only
            restricted[name] = table
            table = saturation_curve_shape(table, name)
        elif name == "negative_cases":  # a row per interviewee counts people: one row per theme instead
            restricted[name] = table
            themes = ([(t.name, t.label) for t in result.codebook.themes]
                      if getattr(result, "codebook", None) is not None else None)
            table = negative_cases_summary(table, themes, threshold=threshold, name=name)
        elif name in PER_CASE and {"role", "site"} <= set(table.columns) and not table.empty:
            table = anonymous_cases(table, name)
        elif name == "theme_role_wide":
            counts = [c for c in table.columns if c != "theme_label"]
        if not isinstance(table, SuppressedTable):  # made by the suppression step above: kept as made
            # and the sentences or words of people shown as c: 1 sentence is 1 person (derived.withhold_said_by)
            table = withhold_said_by(_mask(table, counts, threshold), threshold)
        out[name] = table if isinstance(table, SuppressedTable) else certify(
            table, counts, threshold=threshold, name=name, not_people=NOT_PEOPLE.get(name, ()),
            reason=f"Counts of people from 1 to {threshold} are shown as c.")
    # (a stand-in result with tables only, as some callers build, has nowhere to keep the full copies)
    return replace(result, tables=out, **({"restricted": restricted} if hasattr(result, "restricted") else {}))
