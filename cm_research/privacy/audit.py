"""The whole-run disclosure audit: identifiers (the scanner) *and* small numbers, everywhere a reader can look.

``audit_run(run_dir)`` is what ``cm-research check-disclosure RUN`` and every batch run. It returns the findings of
:func:`cm_research.privacy.scan.check_disclosure` (identifiers) plus the statistical-disclosure findings below, in
the same columns (file, location, kind, text), so one table says whether a run may be published. The rules are
those of UK statistical disclosure control for tables (ONS *Disclosure Control Policy for Tables*; NHS Digital
*Disclosure control method*; DfE children-looked-after statistics: counts from 1 to 5 suppressed), applied to
everything published, not only tables:

- ``small_count``: in a CSV (tables and "the numbers behind this figure"), a column of counts of people holding
  a whole number from 1 to the threshold that is not shown as ``c``. The columns are those the suppression step
  declared (``.disclosure/<file>.json``, written by :func:`~cm_research.privacy.contract.write_table`) and every
  column named like a count of people (``n``, ``n_*``, ``young_people``, ``mentored``, ``interviews``...;
  :data:`PEOPLE_COUNT`) unless the record says it is not one (an n-gram's length, a number of sentences).
  Counts of data problems (``n_problems``, ``n_rows``, the overview's ``rows_quarantined`` and
  ``cells_blanked``) are counts of people too: a problem in a row of participants.csv is a young person;
- ``k_of_n``: in a report's text or alt text, "(k of n)", "k of n <people>" or "k/n" where k, n or n - k (the
  people the sentence leaves out) is from 1 to the threshold ("mentees (2 of 2)", "2 of the 40 young people", "5/8"); "1 of 4 measures" is not about people;
- ``single_person``: a quote attributed to a role at a site where fewer than ``pool_below`` people of that role
  were interviewed (from the run's ``interviews.csv``): the attribution points at one or two known people;
- ``figure_without_data``: a figure in a report with no link to the numbers behind it;
- ``interview_source``: in a CSV, a ``transcript`` or ``segment_id`` column with values: the interview a row
  comes from (a file name like ``04_northshire_vsh`` is one known person) undoes the pooling of quotes and the
  suppression of interview counts (see :mod:`cm_research.qual.publish`);
- ``derived_count``: in a CSV, a number that gives a count shown as ``c`` back -- zero changes as ``n_pairs``
  minus ``n_nonzero``, non-zero changes from a signed-rank statistic with its rank-biserial correlation, the
  number of answers from a median CI's exact coverage, the signed-rank p-value beside a hidden count of
  changes (see :mod:`cm_research.privacy.derived`);
- ``row_count``: in a CSV with one row per case (a ``case`` column), the rows of one role, site or
  attribution -- or, with a ``theme`` column, of one theme, whoever the rows are -- number 1 to the threshold:
  counting them counts people (see :func:`cm_research.qual.publish.anonymous_cases` and
  :func:`~cm_research.qual.publish.negative_cases_summary`);
- ``event_count``: in a CSV, a group's total of events (suspensions, exclusions, sessions missed) from 1 to
  the threshold, shown or given back by a mean times its n or by a rate ratio with its SE and the group sizes
  (see :mod:`cm_research.privacy.events`);
- ``file_metadata`` and ``hidden_content``: an Office file's author, last editor, company or comment authors,
  a PNG or SVG naming its maker, a workbook's hidden sheets, rows, columns or named ranges (see
  :mod:`cm_research.privacy.metadata`);
- ``release_difference`` (when earlier published runs of the project are named): a count of people that
  differs from the same count in an earlier release by 1 to the threshold (see
  :mod:`cm_research.privacy.releases`);
- ``linked_count``: a count shown as ``c`` in one published file and as a number in another file of the same
  folder that holds the same count by definition (``attrition.csv``'s ``n_both`` is the outcomes report's
  ``n_pairs`` and ANCOVA ``n_treated``/``n_control``; see :mod:`cm_research.privacy.linked`).

The table checks (``small_count``, ``interview_source``, ``derived_count``, ``row_count``, ``event_count``) read
every table of a published workbook (each sheet) and Word document (each table) as well as every CSV: each is
handed, as a table of text, to the same code (:func:`audit_frame`; :mod:`cm_research.privacy.office_tables`
reads them), its findings naming the sheet or table, row and column as the file shows them. A Word document's
paragraphs, table cells and alt texts get the text checks of an HTML report (``k_of_n``, ``single_person``).

Figures are checked when they are drawn, not from their PNG: ``figure_small_count``
(:mod:`cm_research.privacy.figures`) reads the bars of a published figure from its artists, and the report code
refuses to save one that draws a count of people from 1 to the threshold.

Restricted folders and files are skipped as the scanner skips them; an internal run (``NOT_FOR_PUBLICATION``
folders) is audited all the same when asked, but batches record rather than enforce it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from cm_research.privacy.derived import derived_findings
from cm_research.privacy.events import event_findings
from cm_research.privacy.scan import FINDING_COLUMNS, RESTRICTED_FILES, RESTRICTED_FOLDER, check_disclosure
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED

#: column names that hold counts of people (young people, interviewees, respondents, matches of a child)
PEOPLE_COUNT = re.compile(
    r"^(n|n_(?!boot$|items$|segments$|coded_segments$|codes$|units$|roles$).+|young_people|"
    r"mentored|comparison|mentee|mentor|carer|social worker|vsh|interviews|participants|respondents|matches|ended|"
    r"still_going|ended_early|with_outcome|without_outcome|reliable_improvement|no_reliable_change|"
    r"reliable_deterioration|baseline|end|both baseline and end|young people|adults|all respondents|rows_quarantined|"
    r"cells_blanked)$", re.I)
#: columns naming the interview a row comes from (see ``interview_source``)
INTERVIEW_SOURCE = frozenset({"transcript", "segment_id"})
#: default: fewer than this many people of a role interviewed at a site -> quotes are pooled
POOL_BELOW = 3
#: "(2 of 2)", "2 of the 5 mentees", "5/8": k of n about people (measures, codes, items are not people)
_PEOPLE = (r"young people|children|pupils|mentees?|mentors?|carers?|social workers?|participants?|interviewees?|"
           r"respondents?|matches|people|VSHs?|teachers?|staff")
_K_OF_N = re.compile(r"\((\d{1,4}) of (\d{1,4})\)|\b(\d{1,4}) of (?:the |all )?(\d{1,4})(?= (?:[a-z-]+ )?(?:"
                     + _PEOPLE + r")\b)|(?<![\d/.])(\d{1,4})/(\d{1,4})(?![\d/.])", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"[—–-]\s*(?:the\s+)?([A-Za-z][A-Za-z ]{1,40}?),\s*([A-Z][A-Za-z' -]{1,40})")


def _restricted(path: Path, run_dir: Path) -> bool:
    from fnmatch import fnmatch

    rel = path.relative_to(run_dir)
    return RESTRICTED_FOLDER in rel.parts[:-1] or any(fnmatch(path.name, p) for p in RESTRICTED_FILES)


def _small(value: object, threshold: int) -> bool:
    if isinstance(value, str):
        value = value.strip()
        if value == SUPPRESSED or not re.fullmatch(r"\d+(\.0+)?", value):
            return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return number == int(number) and 1 <= number <= threshold


def _declared(path: Path) -> tuple[set[str], set[str]]:
    """The columns the suppression step declared counts of people, and those it said only look so, from the
    file's record (``.disclosure/<file>.json``, :func:`cm_research.privacy.contract.write_table`)."""
    import json

    from cm_research.privacy.contract import sidecar_path

    record = sidecar_path(path)
    if record.is_file():
        try:
            found = json.loads(record.read_text(encoding="utf-8"))
            return set(found.get("count_columns") or []), set(found.get("not_people") or [])
        except (ValueError, OSError):
            pass
    return set(), set()


def audit_table(path: Path, threshold: int = DEFAULT_THRESHOLD, name: str = "") -> Iterator[tuple[str, str, str, str]]:
    """``small_count`` findings of one CSV: counts of people from 1 to ``threshold`` not shown as ``c``; and
    ``derived_count`` findings: numbers in it that give such a count back (:mod:`cm_research.privacy.derived`)."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError):
        return
    yield from audit_frame(table, name or path.name, threshold, *_declared(path))


def audit_frame(table: pd.DataFrame, name: str, threshold: int = DEFAULT_THRESHOLD, declared: Iterable[str] = (),
                not_people: Iterable[str] = ()) -> Iterator[tuple[str, str, str, str]]:
    """Every table check (``interview_source``, ``small_count``, ``derived_count``, ``event_count``,
    ``row_count``) of one table read as text (empty cells ``""``), its header on line 1 and its rows from line 2,
    as a CSV file numbers them. ``declared``/``not_people``: the columns its record says count people / do not."""
    declared, not_people = set(declared), set(not_people)
    for column in table.columns:
        if str(column).strip().lower() in INTERVIEW_SOURCE:
            shown = [(row, v) for row, v in enumerate(table[column].tolist(), start=2) if str(v).strip()]
            if shown:
                yield (name, f"line {shown[0][0]}, column `{column}`", "interview_source",
                       f"{shown[0][1]} (and {len(shown) - 1} more): rows must not name the interview they come from")
            continue
        named = PEOPLE_COUNT.match(str(column).strip()) and column not in not_people
        if column not in declared and not named:
            continue
        for row, value in enumerate(table[column].tolist(), start=2):
            if _small(value, threshold):
                yield (name, f"line {row}, column `{column}`", "small_count",
                       f"{value} (counts from 1 to {threshold} must be shown as c)")
    yield from derived_findings(table, name, threshold)
    yield from event_findings(table, name, threshold)
    yield from _row_counts(table, name, threshold)


_LINES = re.compile(r"^lines? (\d+(?:, \d+)*)")


def audit_office(path: Path, threshold: int = DEFAULT_THRESHOLD, name: str = "") -> Iterator[tuple[str, str, str, str]]:
    """The findings of :func:`audit_frame` for every table of a published workbook (each sheet) or Word document
    (each table), read by :mod:`cm_research.privacy.office_tables`; each location names the sheet or table and
    its row there ("sheet `Counts`, row 4, column `n`", "table 2, row 3, column `young_people`").

    A file too large or too damaged to open is not passed: it is an ``unscanned_file`` finding."""
    from cm_research.data.archives import oversized_archive
    from cm_research.privacy.office_tables import office_tables

    name = name or path.name
    if reason := oversized_archive(path):
        yield name, "tables", "unscanned_file", f"tables not checked for small numbers: {reason}"
        return
    try:
        tables = list(office_tables(path))
    except Exception as exc:  # noqa: BLE001 -- whatever stops the tables being read, the file is never passed
        yield (name, "tables", "unscanned_file",
               f"tables cannot be read to check for small numbers ({type(exc).__name__}: {exc})"[:300])
        return
    declared, not_people = _declared(path)
    for table in tables:
        shown = _as_columns(table.frame)

        def row(match: re.Match) -> str:  # line N of the table as a CSV -> its row in the sheet or Word table
            numbers = [table.rows[int(n) - 2] if 2 <= int(n) < len(table.rows) + 2 else int(n)
                       for n in match.group(1).split(", ")]
            return f"{table.where}, row{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"

        def heading(match: re.Match) -> str:  # a column as the rules name it -> its heading in the file
            return f"`{shown.get(match.group(1), match.group(1))}`"

        frame = table.frame.rename(columns={v: k for k, v in shown.items()})
        for file, location, kind, text in audit_frame(frame, name, threshold, declared, not_people):
            yield file, _LINES.sub(row, _COLUMN.sub(heading, location), count=1), kind, text


_COLUMN = re.compile(r"`([^`]*)`")


def _as_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Column name the rules know -> heading shown, for each heading of an Office table that a report wrote in
    words (:func:`cm_research.privacy.office_tables.source_column`: "Measured twice" is ``n_pairs``). A heading
    the rules already read as a count of people ("both baseline and end") keeps its own name; no two columns
    are given one name."""
    from cm_research.privacy.office_tables import source_column

    out: dict[str, str] = {}
    taken = set(frame.columns)
    for heading in frame.columns:
        column = source_column(str(heading))
        if column == heading or column in taken or column in out:
            continue
        if PEOPLE_COUNT.match(str(heading).strip()) and not PEOPLE_COUNT.match(column):
            continue
        out[column] = heading
    return out


#: what a per-case table's rows may be attributed to: no one in particular (:func:`cm_research.qual.publish.anonymous_cases`)
_ANYONE = {"", "an interviewee"}


def _row_counts(table: pd.DataFrame, name: str, threshold: int) -> Iterator[tuple[str, str, str, str]]:
    """``row_count`` findings: a table with one row per case (a ``case`` column) whose rows, counted by role and
    site (or attribution), number 1 to ``threshold``: each row is a person, so the count is a count of people."""
    if "case" not in table.columns:
        return
    who = [c for c in ("attribution",) if c in table.columns] or [c for c in ("role", "site") if c in table.columns]
    if "theme" in table.columns:  # a row per case and theme: a theme's rows are the people it counts, whoever
        # they are (round 5: the negative cases, anonymous, still had 1 to 5 rows under each theme)
        for theme, rows in table.groupby("theme", sort=False):
            if str(theme).strip() and 1 <= len(rows) <= threshold:
                yield (name, f"lines {', '.join(str(i + 2) for i in rows.index[:6])}", "row_count",
                       f"{len(rows)} row(s) for theme {theme}: one row per case, so this counts people (1 to "
                       f"{threshold} must not be shown)")
    if not who:
        return
    key = who + [c for c in ("theme",) if c in table.columns]
    for values, rows in table.groupby(key, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        label = dict(zip(key, values))
        if all(str(label[c]).strip() in _ANYONE for c in who):
            continue
        if 1 <= len(rows) <= threshold:
            yield (name, f"lines {', '.join(str(i + 2) for i in rows.index[:6])}", "row_count",
                   f"{len(rows)} row(s) for {', '.join(f'{v}' for v in values if str(v).strip())}: one row per "
                   f"case, so this counts people (1 to {threshold} must not be shown)")


class _Text(HTMLParser):
    """Visible text blocks, alt texts and figures (with or without a CSV link) of an HTML report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.alts: list[str] = []
        self.figures: list[bool] = []  # per <figure>: has a .csv link
        self._skip = 0
        self._figure: bool | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "figure":
            self._figure = False
        if tag == "a" and str(a.get("href", "")).lower().endswith(".csv"):
            if self._figure is not None:
                self._figure = True
            elif self.figures:  # the link right after a figure (before the next one) is its numbers too
                self.figures[-1] = True
        if tag == "img" and a.get("alt"):
            self.alts.append(a["alt"])
        if tag in ("p", "li", "td", "th", "figcaption", "h1", "h2", "h3", "h4", "div", "blockquote", "tr"):
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag == "figure" and self._figure is not None:
            self.figures.append(self._figure)
            self._figure = None

    def handle_data(self, data):
        if not self._skip:
            if not self.blocks:
                self.blocks.append("")
            self.blocks[-1] += data


def _small_roles(run_dir: Path, pool_below: int) -> set[tuple[str, str]]:
    """(role, site) pairs with 1 to ``pool_below - 1`` interviewees, from the run's interviews tables."""
    small = set()
    for path in run_dir.rglob("interviews.csv"):
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError):
            continue
        if not {"role", "site", "interviews"} <= set(table.columns):
            continue
        for r in table.itertuples():
            if r.interviews == SUPPRESSED or (r.interviews.isdigit() and 1 <= int(r.interviews) < pool_below):
                small.add((r.role.strip().lower().replace("_", " "), r.site.strip().lower()))
    return small


def _text_findings(name: str, blocks: list[str], alts: list[str], threshold: int,
                   small_roles: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str, str]]:
    """``k_of_n`` findings of a report's text blocks and alt texts, ``single_person`` findings of its text."""
    small_roles = set(small_roles)
    for where, texts in (("text", blocks), ("alt text", alts)):
        for i, text in enumerate(texts):
            for m in _K_OF_N.finditer(text):
                k, n = (int(g) for g in [g for g in m.groups() if g is not None][:2])
                # n - k is people too ("18 of the 23 measured again": 5 were not)
                if (_small(k, threshold) or _small(n, threshold) or _small(n - k, threshold)) and k <= n:
                    yield name, f"{where} {i + 1}", "k_of_n", text[max(0, m.start() - 40):m.end() + 20].strip()
            if where == "text":
                for m in _ATTRIBUTION.finditer(text):
                    role, site = m.group(1).strip().lower(), m.group(2).strip().lower()
                    role = re.sub(r"^(?:a|an|the)\s+", "", role)
                    if (role, site) in small_roles or (role.rstrip("s"), site) in small_roles:
                        yield name, f"text {i + 1}", "single_person", m.group(0).strip()


def audit_word_text(path: Path, threshold: int = DEFAULT_THRESHOLD, small_roles: Iterable[tuple[str, str]] = (),
                    name: str = "") -> Iterator[tuple[str, str, str, str]]:
    """The text checks of an HTML report (``k_of_n``, ``single_person``) on a Word document: each paragraph,
    table cells' included, in document order ("text N" counts them), and each picture's alt text (``descr``).
    A document that cannot be opened is left to :func:`audit_office`, which reports it."""
    from docx import Document
    from docx.oxml.ns import qn

    try:
        body = Document(str(path)).element.body
    except Exception:  # noqa: BLE001 -- reported once, as unscanned_file, by audit_office
        return
    blocks = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    alts = [e.get("descr") for e in body.iter(qn("wp:docPr")) if e.get("descr")]
    yield from _text_findings(name or path.name, [b for b in blocks if b.strip()], alts, threshold, small_roles)


def audit_html(path: Path, threshold: int = DEFAULT_THRESHOLD, small_roles: Iterable[tuple[str, str]] = (),
               name: str = "") -> Iterator[tuple[str, str, str, str]]:
    """``k_of_n``, ``single_person`` and ``figure_without_data`` findings of one HTML report."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    name = name or path.name
    yield from _text_findings(name, parser.blocks, parser.alts, threshold, small_roles)
    for i, has_data in enumerate(parser.figures):
        if not has_data:
            yield name, f"figure {i + 1}", "figure_without_data", "no link to the numbers behind this figure"


def audit_run(run_dir: str | Path, register=None, *, threshold: int = DEFAULT_THRESHOLD,
              pool_below: int = POOL_BELOW, identifiers: bool = True,
              earlier: Iterable[str | Path] = ()) -> pd.DataFrame:
    """Every finding of the identifier scan and of the small-number audit (module docstring) for a run folder.

    ``earlier``: runs of the same project already published; a count that differs from theirs by 1 to the
    threshold is a ``release_difference`` finding (:mod:`cm_research.privacy.releases`).

    An empty table means the run may be published. ``attrs`` keeps the scan's ``skipped`` and ``n_files``."""
    run_dir = Path(run_dir)
    found = check_disclosure(run_dir, register=register) if identifiers else pd.DataFrame(columns=FINDING_COLUMNS)
    from cm_research.privacy.metadata import metadata_findings

    rows = []
    small_roles = _small_roles(run_dir, pool_below)
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        if _restricted(path, run_dir):
            continue
        rel = path.relative_to(run_dir).as_posix()
        if path.suffix.lower() == ".csv":
            rows += list(audit_table(path, threshold, rel))
        elif path.suffix.lower() in (".html", ".htm"):
            rows += list(audit_html(path, threshold, small_roles, rel))
        elif path.suffix.lower() in (".xlsx", ".xlsm", ".docx", ".docm"):
            rows += list(audit_office(path, threshold, rel))
            if path.suffix.lower() in (".docx", ".docm"):
                rows += list(audit_word_text(path, threshold, small_roles, rel))
        rows += list(metadata_findings(path, rel))
    from cm_research.privacy.linked import linked_findings

    rows += list(linked_findings(run_dir, skip=lambda path: _restricted(path, run_dir)))
    if earlier:
        from cm_research.privacy.releases import release_findings

        rows += list(release_findings(run_dir, earlier, PEOPLE_COUNT, threshold,
                                     skip=lambda path: _restricted(path, run_dir)))
    out = pd.concat([found, pd.DataFrame(rows, columns=FINDING_COLUMNS)], ignore_index=True)
    out.attrs.update(found.attrs)
    return out
