"""Instrument definitions: one YAML file per instrument in ``data_dictionary/instruments/``.

Each file lists the items (with the reverse-scored ones), the response range, how each score is made
(a sum or mean of items with a prorating rule, a sum of other scores, or a published conversion table),
the published bands, and for reliable change the reliability, normative SD and clinical cut-off with
their sources. Scoring code reads these objects and nothing else, so an instrument's items are written
down once. A file with ``versions`` (the SDQ's parent, teacher and self-report forms) yields one
:class:`Instrument` per version, with the version's bands, impact items and metadata merged in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cm_research.dictionary import dictionary_dir
from cm_research.measures.errors import InstrumentDefinitionError, UnknownInstrumentError

METHODS = ("sum", "mean")
ROUNDINGS = ("none", "half_up")
DIRECTIONS = ("higher", "lower")


def instruments_dir() -> Path:
    """Folder of the instrument files: ``instruments/`` inside the data dictionary folder."""
    return dictionary_dir() / "instruments"


@dataclass(frozen=True)
class Item:
    """One questionnaire item: its column name, number on the form, short description, reverse-scored or not."""

    name: str
    label: str = ""
    number: int | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Cited:
    """A published value with its source (a reliability coefficient, a normative SD)."""

    value: float
    source: str
    statistic: str = ""


@dataclass(frozen=True)
class ClinicalCutoff:
    """First score of the clinical range. Scores at or beyond it, in the direction of worse, are clinical."""

    value: float
    meaning: str
    source: str


@dataclass(frozen=True)
class Band:
    label: str
    low: float
    high: float


@dataclass(frozen=True)
class BandScheme:
    """Named bands (inclusive score ranges) for some of an instrument's scores."""

    name: str
    title: str
    source: str
    bands: dict[str, tuple[Band, ...]]


@dataclass(frozen=True)
class Score:
    """How one score is made.

    Exactly one of ``items`` (a sum or mean of item scores, after reversing), ``sum_of`` (a sum of
    other scores) or ``convert_from`` + ``table`` (a published conversion of another score) is set.
    """

    name: str
    title: str
    low: float
    high: float
    better: str
    items: tuple[str, ...] = ()
    method: str = "sum"
    min_answered: int | None = None
    rounding: str = "none"
    sum_of: tuple[str, ...] = ()
    convert_from: str | None = None
    table: dict[int, float] = field(default_factory=dict)
    source: str = ""
    measure: str | None = None
    reliability: Cited | None = None
    normative_sd: Cited | None = None
    clinical_cutoff: ClinicalCutoff | None = None

    @property
    def kind(self) -> str:
        if self.items:
            return "items"
        if self.sum_of:
            return "sum_of"
        return "conversion"

    @property
    def has_reliability(self) -> bool:
        return self.reliability is not None and self.normative_sd is not None

    @property
    def needed(self) -> int:
        """Answered items needed for a score (all of them unless the instrument allows prorating)."""
        return len(self.items) if self.min_answered is None else self.min_answered


@dataclass(frozen=True)
class Impact:
    """The SDQ-style impact supplement: a screening question and distress/interference items, recoded."""

    name: str
    title: str
    screen_item: str
    screen_range: tuple[int, int]
    response: tuple[int, int]
    recode: dict[int, int]
    items: tuple[str, ...]
    labels: dict[str, str]
    low: float
    high: float
    better: str


@dataclass(frozen=True)
class Instrument:
    """One instrument (one version of it, where it has versions), ready to score."""

    id: str
    name: str
    version: str | None
    title: str
    description: str
    source: str
    response_min: int
    response_max: int
    items: tuple[Item, ...]
    scores: tuple[Score, ...]
    impact: Impact | None = None
    band_schemes: dict[str, BandScheme] = field(default_factory=dict)
    file: str = ""

    @property
    def item_names(self) -> list[str]:
        return [i.name for i in self.items]

    @property
    def reverse_items(self) -> list[str]:
        return [i.name for i in self.items if i.reverse]

    @property
    def score_names(self) -> list[str]:
        names = [s.name for s in self.scores]
        return names + ([self.impact.name] if self.impact else [])

    def item(self, name: str) -> Item:
        for item in self.items:
            if item.name == name:
                return item
        raise UnknownInstrumentError(f"{self.id} has no item {name!r}; items: {', '.join(self.item_names)}")

    def score(self, name: str) -> Score:
        for score in self.scores:
            if score.name == name:
                return score
        raise UnknownInstrumentError(
            f"{self.id} has no score {name!r}; scores: {', '.join(s.name for s in self.scores)}"
        )

    def score_range(self, name: str) -> tuple[float, float]:
        if self.impact and name == self.impact.name:
            return self.impact.low, self.impact.high
        s = self.score(name)
        return s.low, s.high

    def score_better(self, name: str) -> str:
        if self.impact and name == self.impact.name:
            return self.impact.better
        return self.score(name).better


# ---------------------------------------------------------------- parsing and checking


class _Where:
    """Builds error messages that name the file and the entry at fault."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, where: str, message: str) -> InstrumentDefinitionError:
        return InstrumentDefinitionError(f"{self.file}, {where}: {message}")


def _need(raw: dict, key: str, where: str, w: _Where) -> Any:
    if not isinstance(raw, dict) or raw.get(key) in (None, "", [], {}):
        raise w.fail(where, f"'{key}' is missing")
    return raw[key]


def _pair(value: Any, where: str, w: _Where) -> tuple[float, float]:
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_number(v) for v in value)):
        raise w.fail(where, f"expected [low, high], got {value!r}")
    low, high = float(value[0]), float(value[1])
    if low > high:
        raise w.fail(where, f"low {low:g} is above high {high:g}")
    return low, high


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _cited(raw: Any, where: str, w: _Where, *, bounds: tuple[float, float]) -> Cited | None:
    if raw is None:
        return None
    value = _need(raw, "value", where, w)
    source = _need(raw, "source", where, w)
    low, high = bounds
    if not (_is_number(value) and low < value < high):
        raise w.fail(where, f"value {value!r} must be a number between {low:g} and {high:g}")
    return Cited(float(value), " ".join(str(source).split()), str(raw.get("statistic", "")))


def _cutoff(raw: Any, where: str, w: _Where, low: float, high: float) -> ClinicalCutoff | None:
    if raw is None:
        return None
    value = _need(raw, "value", where, w)
    if not (_is_number(value) and low < value <= high):
        raise w.fail(where, f"cut-off {value!r} must lie inside the score range {low:g}-{high:g}")
    return ClinicalCutoff(float(value), " ".join(str(raw.get("meaning", "")).split()),
                          " ".join(str(_need(raw, "source", where, w)).split()))


def _parse_items(raw_items: Any, w: _Where) -> tuple[Item, ...]:
    if not isinstance(raw_items, list) or not raw_items:
        raise w.fail("items", "a non-empty list of items is required")
    items = []
    for i, raw in enumerate(raw_items, start=1):
        name = _need(raw, "name", f"item {i}", w)
        items.append(Item(str(name), str(raw.get("label", "")), raw.get("number"), bool(raw.get("reverse", False))))
    names = [i.name for i in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise w.fail("items", f"item names repeated: {', '.join(dupes)}")
    return tuple(items)


def _parse_score(raw: dict, known_items: list[str], earlier: dict[str, Score], rmin: int, rmax: int,
                 w: _Where) -> Score:
    name = str(_need(raw, "name", "a score", w))
    where = f"score {name!r}"
    low, high = _pair(_need(raw, "range", where, w), f"{where}, range", w)
    better = _need(raw, "better", where, w)
    if better not in DIRECTIONS:
        raise w.fail(where, f"better must be one of {DIRECTIONS}, not {better!r}")
    common = dict(name=name, title=str(raw.get("title", name)), low=low, high=high, better=better,
                  source=" ".join(str(raw.get("source", "")).split()), measure=raw.get("measure"))
    kinds = [k for k in ("items", "sum_of", "from") if k in raw]
    if len(kinds) != 1:
        raise w.fail(where, "give exactly one of 'items', 'sum_of' or 'from'")
    if "items" in raw:
        items = tuple(str(i) for i in raw["items"])
        unknown = [i for i in items if i not in known_items]
        if unknown:
            raise w.fail(where, f"unknown item(s) {', '.join(unknown)}")
        method = raw.get("method", "sum")
        if method not in METHODS:
            raise w.fail(where, f"method must be one of {METHODS}, not {method!r}")
        rounding = raw.get("rounding", "none")
        if rounding not in ROUNDINGS:
            raise w.fail(where, f"rounding must be one of {ROUNDINGS}, not {rounding!r}")
        min_answered = raw.get("min_answered")
        if min_answered is not None and not (isinstance(min_answered, int) and 1 <= min_answered <= len(items)):
            raise w.fail(where, f"min_answered must be a whole number from 1 to {len(items)}, not {min_answered!r}")
        k = len(items)
        expected = (k * rmin, k * rmax) if method == "sum" else (rmin, rmax)
        if (low, high) != expected:
            raise w.fail(where, f"range [{low:g}, {high:g}] does not match {k} items scored {rmin}-{rmax} "
                                f"({method}: expected [{expected[0]:g}, {expected[1]:g}])")
        return Score(**common, items=items, method=method, min_answered=min_answered, rounding=rounding)
    if "sum_of" in raw:
        parts = tuple(str(p) for p in raw["sum_of"])
        unknown = [p for p in parts if p not in earlier]
        if unknown:
            raise w.fail(where, f"sum_of names score(s) not defined above it: {', '.join(unknown)}")
        expected = (sum(earlier[p].low for p in parts), sum(earlier[p].high for p in parts))
        if (low, high) != expected:
            raise w.fail(where, f"range [{low:g}, {high:g}] does not match the sum of its parts {expected}")
        return Score(**common, sum_of=parts)
    origin = str(raw["from"])
    if origin not in earlier:
        raise w.fail(where, f"converts from unknown score {origin!r}")
    table = raw.get("table") or {}
    base = earlier[origin]
    wanted = list(range(int(base.low), int(base.high) + 1))
    if sorted(int(k) for k in table) != wanted:
        raise w.fail(where, f"the conversion table must have one entry for every score {wanted[0]}-{wanted[-1]}")
    values = [float(table[k]) for k in sorted(table)]
    if any(b <= a for a, b in zip(values, values[1:])):
        raise w.fail(where, "the conversion table must increase with the score")
    return Score(**common, convert_from=origin, table={int(k): float(v) for k, v in table.items()})


def _score_metadata(score: Score, raw: dict, where: str, w: _Where) -> Score:
    """``score`` with measure, reliability, normative SD and cut-off taken from ``raw`` where given."""
    from dataclasses import replace

    span = score.high - score.low
    return replace(
        score,
        measure=raw.get("measure", score.measure),
        reliability=_cited(raw.get("reliability"), f"{where}, reliability", w, bounds=(0.0, 1.0))
        or score.reliability,
        normative_sd=_cited(raw.get("normative_sd"), f"{where}, normative_sd", w, bounds=(0.0, span))
        or score.normative_sd,
        clinical_cutoff=_cutoff(raw.get("clinical_cutoff"), f"{where}, clinical_cutoff", w, score.low, score.high)
        or score.clinical_cutoff,
    )


def _parse_impact(raw: dict | None, version: dict, w: _Where, vname: str) -> Impact | None:
    if raw is None:
        return None
    where = f"version {vname!r}, impact"
    items_all: dict = _need(raw, "items", "impact", w)
    chosen = [str(i) for i in version.get("impact_items", list(items_all))]
    unknown = [i for i in chosen if i not in items_all]
    if unknown:
        raise w.fail(where, f"unknown impact item(s) {', '.join(unknown)}")
    rmin, rmax = (int(v) for v in _pair([_need(raw, "response", "impact", w).get(k) for k in ("min", "max")],
                                        "impact, response", w))
    recode = {int(k): int(v) for k, v in _need(raw, "recode", "impact", w).items()}
    if sorted(recode) != list(range(rmin, rmax + 1)):
        raise w.fail("impact, recode", f"recode must give a value for each answer {rmin}-{rmax}")
    low, high = _pair(version.get("impact_range", [0, len(chosen) * max(recode.values())]),
                      f"version {vname!r}, impact_range", w)
    if high != len(chosen) * max(recode.values()):
        raise w.fail(where, f"impact_range {high:g} does not match {len(chosen)} items recoded to at most "
                            f"{max(recode.values())}")
    screen = _need(raw, "screen_item", "impact", w)
    s_low, s_high = _pair(_need(screen, "range", "impact, screen_item", w), "impact, screen_item, range", w)
    return Impact(
        name=str(raw.get("name", "impact")), title=str(raw.get("title", "Impact")),
        screen_item=str(_need(screen, "name", "impact, screen_item", w)), screen_range=(int(s_low), int(s_high)),
        response=(rmin, rmax), recode=recode, items=tuple(chosen), labels={k: str(v) for k, v in items_all.items()},
        low=low, high=high, better=str(raw.get("better", "lower")),
    )


def _parse_bands(raw: dict | None, ranges: dict[str, tuple[float, float]], w: _Where, vname: str
                 ) -> dict[str, BandScheme]:
    schemes = {}
    for scheme_name, body in (raw or {}).items():
        where = f"version {vname!r}, bands {scheme_name!r}"
        bands = {}
        for score_name, spec in body.items():
            if score_name in ("title", "source"):
                continue
            if score_name not in ranges:
                raise w.fail(where, f"bands given for unknown score {score_name!r}")
            parsed = tuple(Band(str(label), *_pair(edges, f"{where}, {score_name}, {label}", w))
                           for label, edges in spec.items())
            _check_bands_cover(parsed, ranges[score_name], f"{where}, {score_name}", w)
            bands[score_name] = parsed
        schemes[scheme_name] = BandScheme(scheme_name, str(body.get("title", scheme_name)),
                                          " ".join(str(_need(body, "source", where, w)).split()), bands)
    return schemes


def _check_bands_cover(bands: tuple[Band, ...], score_range: tuple[float, float], where: str, w: _Where) -> None:
    """Bands must tile the whole (integer) score range: no gap, no overlap."""
    ordered = sorted(bands, key=lambda b: b.low)
    low, high = score_range
    if ordered[0].low != low or ordered[-1].high != high:
        raise w.fail(where, f"bands must run from {low:g} to {high:g}")
    for a, b in zip(ordered, ordered[1:]):
        if b.low != a.high + 1:
            raise w.fail(where, f"bands {a.label!r} ({a.low:g}-{a.high:g}) and {b.label!r} ({b.low:g}-{b.high:g}) "
                                "leave a gap or overlap")


def _table_range(table: Any) -> list[float] | None:
    """A conversion's range is that of its table's values."""
    values = [v for v in (table or {}).values() if _is_number(v)]
    return [min(values), max(values)] if values else None


def _build(doc: dict, file: str) -> list[Instrument]:
    w = _Where(file)
    name = str(_need(doc, "name", "top level", w))
    response = _need(doc, "response", "top level", w)
    rmin, rmax = (int(v) for v in _pair([response.get("min"), response.get("max")], "response", w))
    items = _parse_items(doc.get("items"), w)
    item_names = [i.name for i in items]
    scores: dict[str, Score] = {}
    conversions = [dict(raw, range=raw.get("range") or _table_range(raw.get("table")))
                   for raw in doc.get("conversions") or []]
    for raw in list(_need(doc, "scores", "top level", w)) + conversions:
        score = _parse_score(raw, item_names, scores, rmin, rmax, w)
        if score.name in scores:
            raise w.fail(f"score {score.name!r}", "defined twice")
        scores[score.name] = _score_metadata(score, raw, f"score {score.name!r}", w)
    versions = doc.get("versions") or {None: {}}
    built = []
    for vname, version in versions.items():
        version = version or {}
        merged = dict(scores)
        for sname, meta in (version.get("scores") or {}).items():
            if sname not in merged:
                raise w.fail(f"version {vname!r}", f"metadata given for unknown score {sname!r}")
            merged[sname] = _score_metadata(merged[sname], meta, f"version {vname!r}, score {sname!r}", w)
        impact = _parse_impact(doc.get("impact"), version, w, str(vname))
        ranges = {s.name: (s.low, s.high) for s in merged.values()}
        if impact:
            ranges[impact.name] = (impact.low, impact.high)
        built.append(Instrument(
            id=name if vname is None else f"{name}_{vname}",
            name=name,
            version=vname,
            title=str(doc.get("title", name)) + (f": {version['title']}" if version.get("title") else ""),
            description=" ".join(str(doc.get("description", "")).split()),
            source=" ".join(str(_need(doc, "source", "top level", w)).split()),
            response_min=rmin,
            response_max=rmax,
            items=items,
            scores=tuple(merged.values()),
            impact=impact,
            band_schemes=_parse_bands(version.get("bands"), ranges, w, str(vname)),
            file=file,
        ))
    return built


# Instruments by id, and (name, version or alias) -> id.
Catalogue = tuple[dict[str, Instrument], dict[tuple[str, str], str]]


def _load_all(folder: str) -> Catalogue:
    """Parse the folder once per state of its files: an edited file is read again."""
    path = Path(folder)
    files = sorted(path.glob("*.yaml"))
    if not files:
        raise InstrumentDefinitionError(f"no instrument files (*.yaml) found in {path}")
    return _parse_folder(tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))


@lru_cache(maxsize=16)
def _parse_folder(signature: tuple[tuple[str, int, int], ...]) -> Catalogue:
    files = [Path(name) for name, _, _ in signature]
    instruments: dict[str, Instrument] = {}
    aliases: dict[tuple[str, str], str] = {}
    for file in files:
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InstrumentDefinitionError(f"{file.name}: not valid YAML: {exc}") from exc
        if not isinstance(doc, dict):
            raise InstrumentDefinitionError(f"{file.name}: expected a mapping at the top level")
        for inst in _build(doc, file.name):
            if inst.id in instruments:
                raise InstrumentDefinitionError(f"{file.name}: instrument {inst.id!r} is also defined in "
                                                f"{instruments[inst.id].file}")
            instruments[inst.id] = inst
            if inst.version:
                aliases[(inst.name, inst.version)] = inst.id
                for alias in (doc["versions"][inst.version] or {}).get("aliases", []):
                    aliases[(inst.name, str(alias))] = inst.id
    return instruments, aliases


def load_instruments(folder: str | Path | None = None) -> dict[str, Instrument]:
    """Every instrument (and instrument version) defined in the folder, by id (e.g. ``sdq_parent``)."""
    return dict(_load_all(str(folder or instruments_dir()))[0])


def load_instrument(name: str, version: str | None = None, folder: str | Path | None = None) -> Instrument:
    """One instrument by id (``"wemwbs"``, ``"sdq_parent"``) or by name and version (``"sdq", "carer"``).

    Raises UnknownInstrumentError listing what is defined when nothing matches.
    """
    instruments, aliases = _load_all(str(folder or instruments_dir()))
    key = name.strip().lower()
    if version is not None:
        found = aliases.get((key, version.strip().lower()))
        if found:
            return instruments[found]
        known = sorted(v for (n, v) in aliases if n == key)
        raise UnknownInstrumentError(
            f"instrument {name!r} has no version {version!r}"
            + (f"; its versions are: {', '.join(known)}" if known else f"; known instruments: {', '.join(instruments)}")
        )
    if key in instruments:
        return instruments[key]
    versions = sorted({v for (n, v) in aliases if n == key} & {i.version for i in instruments.values()})
    if versions:
        raise UnknownInstrumentError(f"instrument {name!r} has versions ({', '.join(versions)}): say which, "
                                     f"e.g. load_instrument({name!r}, {versions[0]!r})")
    raise UnknownInstrumentError(f"no instrument {name!r}; the instrument files define: "
                                 f"{', '.join(sorted(instruments))}")


def resolve(instrument: str | Instrument, version: str | None = None) -> Instrument:
    """Accept an Instrument or its name; the single entry point the scoring functions use."""
    return instrument if isinstance(instrument, Instrument) else load_instrument(instrument, version)


def measure_metadata(measure: str, folder: str | Path | None = None) -> tuple[Instrument, Score] | None:
    """The instrument and score recorded in the outcomes table as ``measure``, or None if none is.

    Raises InstrumentDefinitionError when two instrument scores claim the same measure.
    """
    matches = [(inst, s) for inst in load_instruments(folder).values() for s in inst.scores if s.measure == measure]
    if len(matches) > 1:
        claimed = ", ".join(f"{i.id}.{s.name}" for i, s in matches)
        raise InstrumentDefinitionError(f"measure {measure!r} is claimed by more than one instrument score: {claimed}")
    return matches[0] if matches else None


def measures_with_reliability(folder: str | Path | None = None) -> list[str]:
    """Outcome measures whose instrument files give a reliability and a normative SD (reliable change possible)."""
    return sorted(s.measure for inst in load_instruments(folder).values() for s in inst.scores
                  if s.measure and s.has_reliability)
