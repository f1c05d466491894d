"""The codebook: themes, their codes, and what each code means; loaded from YAML, validated, exported.

A codebook file (``codebook.yaml``)::

    name: Starter codebook for mentoring evaluations
    description: ...
    allow_shared_codes: false      # may one code sit under two themes?
    themes:
      - name: relationship_and_trust
        label: Relationship and trust
        definition: How the mentoring relationship formed and held.
        codes:
          - name: trust_and_openness
            label: Trust and opening up
            definition: Trust growing between mentee and mentor, or the mentee opening up.
            use_when: ...
            not_when: ...
            example: "I could tell her things I'd never told anyone."
            hints:                  # used only to *suggest* codes; the analyst decides
              words: [trust, comfortable]       # matched on their stems: trusted, trusting ...
              phrases: [open up, felt safe]     # stemmed word sequences: "opened up" matches
              regex: ['\\bfelt (?:so )?safe\\b']  # optional, case-insensitive
              negation_expected: [let me down]  # still evidence when negated ("never let me down")
              by_role: {mentee: [worried]}      # count only when said by this role
              questions: [trust her]            # count only in the interviewer's question, for the answer
              negation: flag                    # or evidence: a negated match is still about the code
              about: young_person               # or anyone: an adult's own "I was nervous" does not count
            frameworks:             # optional: outcomes of outcome frameworks this code gives evidence about
              every_child_matters: [make_a_positive_contribution]   # [] = considered, about no outcome

Word hints ending in ``*`` match any word starting with what comes before (``aspir*``); a word hint holding
a space is a phrase. Validation collects every problem, with the file and line of the theme or code:
duplicate themes or codes, a code under two themes (unless ``allow_shared_codes``), empty definitions,
unknown fields, hints that are not lists of text, regular expressions that do not compile, ``frameworks`` tags
that are not a mapping of framework to outcome ids (whether those ids exist is checked against the framework
files by :func:`cm_research.frameworks.framework_tags`).
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cm_research.data.characters import HOMOGLYPHS, character_name, escape_unseen, mixed_script_word
from cm_research.data.expansion import MAX_VALUES, count_values
from cm_research.data.writing import write_csv
from cm_research.frameworks import FrameworkTagError, parse_tags, tags_text
from cm_research.qual.errors import CodebookError
from cm_research.qual.tokens import words

STARTER_CODEBOOK = Path(__file__).resolve().parent / "data" / "starter_codebook.yaml"

_TOP_FIELDS = {"name", "description", "version", "allow_shared_codes", "themes"}
_THEME_FIELDS = {"name", "label", "definition", "codes"}
_CODE_FIELDS = {"name", "label", "definition", "use_when", "not_when", "example", "hints", "frameworks"}
_HINT_FIELDS = {"words", "phrases", "regex", "negation_expected", "by_role", "questions", "negation", "about"}
_NAME = re.compile(r"^[A-Za-z][\w-]*$")


@dataclass(frozen=True)
class Hints:
    """Matching hints for suggested coding: single words, phrases, regular expressions."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    #: words or phrases that are evidence for the code even when negated ("never let me down", "didn't judge me")
    negation_expected: tuple[str, ...] = ()
    #: (role, words or phrases) pairs: hints that count only in that role's words (a social worker's "worry"
    #: is not the young person's anxiety)
    by_role: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: words or phrases that count only in an interviewer's question, for the sentences that answer it
    #: ("How do you fit it around your job?" asks about time and workload)
    questions: tuple[str, ...] = ()
    #: "flag" (a negated match is flagged) or "evidence" (every hint is evidence even when negated: codes about
    #: a topic whose absence is itself evidence, such as joined-up working that did not happen)
    negation: str = "flag"
    #: "anyone" or "young_person": a code about the young person's own feelings or experience, so that in an
    #: adult's words a match in the adult's own first person ("I was anxious", "my worry", "I felt listened to")
    #: is not evidence, while the adult's account of the young person ("she was anxious") is
    about: str = "anyone"

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.regex or self.negation_expected or self.by_role
                    or self.questions)


@dataclass(frozen=True)
class Code:
    name: str
    theme: str
    label: str
    definition: str
    use_when: str = ""
    not_when: str = ""
    example: str = ""
    hints: Hints = Hints()
    line: int | None = None
    frameworks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (framework id, outcome ids), as written

    @property
    def framework_tags(self) -> dict[str, tuple[str, ...]]:
        """Outcome-framework tags: framework id -> outcome ids (an empty tuple: considered, about no outcome)."""
        return dict(self.frameworks)


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    definition: str
    codes: tuple[Code, ...]
    line: int | None = None


@dataclass
class Codebook:
    """Themes and codes. ``codes`` lists each (code, theme) pair; a shared code appears once per theme."""

    name: str
    themes: tuple[Theme, ...]
    description: str = ""
    allow_shared_codes: bool = False
    source: str = ""
    _themes_of: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        themes_of: dict[str, list[str]] = {}
        for theme in self.themes:
            for code in theme.codes:
                themes_of.setdefault(code.name, []).append(theme.name)
        self._themes_of = {k: tuple(v) for k, v in themes_of.items()}

    @property
    def codes(self) -> list[Code]:
        return [code for theme in self.themes for code in theme.codes]

    @property
    def code_names(self) -> list[str]:
        return list(self._themes_of)

    def themes_of(self, code: str) -> tuple[str, ...]:
        """The theme(s) a code sits under; KeyError for a code not in the codebook."""
        return self._themes_of[code]

    def theme(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise KeyError(name)

    def theme_label(self, name: str) -> str:
        return self.theme(name).label

    def code_label(self, name: str) -> str:
        return next(c.label for c in self.codes if c.name == name)

    def code_theme_table(self) -> pd.DataFrame:
        """One row per (code, theme) pair: code, code_label, theme, theme_label (for joining onto coding)."""
        return pd.DataFrame([{"code": c.name, "code_label": c.label, "theme": t.name, "theme_label": t.label}
                             for t in self.themes for c in t.codes])

    def table(self) -> pd.DataFrame:
        """The whole codebook as a tidy table, one row per code (hints joined with '; ')."""
        return pd.DataFrame([{
            "theme": t.name, "theme_label": t.label, "code": c.name, "code_label": c.label,
            "definition": c.definition, "use_when": c.use_when, "not_when": c.not_when, "example": c.example,
            "hint_words": "; ".join(c.hints.words), "hint_phrases": "; ".join(c.hints.phrases),
            "hint_regex": "; ".join(c.hints.regex),
            "hint_negation_expected": "; ".join(c.hints.negation_expected),
            "hint_by_role": "; ".join(f"{role}: {', '.join(listed)}" for role, listed in c.hints.by_role),
            "hint_questions": "; ".join(c.hints.questions),
            "hint_negation": c.hints.negation,
            "frameworks": tags_text(c.framework_tags),
        } for t in self.themes for c in t.codes])

    def to_markdown(self) -> str:
        """A readable codebook for analysts and reviewers."""
        out = [f"# {self.name}", ""]
        if self.description:
            out += [self.description.strip(), ""]
        out += ["Matching hints are used only to *suggest* codes for the analyst to accept or reject; "
                "they are not the definition of a code.", ""]
        for t in self.themes:
            out += [f"## Theme: {t.label}", "", f"*{t.name}* — {t.definition.strip()}", ""]
            for c in t.codes:
                out += [f"### {c.label} (`{c.name}`)", "", f"**Definition.** {c.definition.strip()}", ""]
                if c.use_when:
                    out += [f"**Use when.** {c.use_when.strip()}", ""]
                if c.not_when:
                    out += [f"**Do not use when.** {c.not_when.strip()}", ""]
                if c.example:
                    out += [f"**Example.** “{c.example.strip()}”", ""]
                hints = _hint_text(c.hints)
                if hints:
                    out += [f"**Hints for suggestions.** {hints}", ""]
                if c.frameworks:
                    out += [f"**Outcome frameworks.** {tags_text(c.framework_tags)}", ""]
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        """The codebook as a standalone HTML page."""
        e = html.escape
        parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(self.name)}</title></head><body>",
                 f"<h1>{e(self.name)}</h1>"]
        if self.description:
            parts.append(f"<p>{e(self.description.strip())}</p>")
        parts.append("<p>Matching hints are used only to <em>suggest</em> codes for the analyst to accept or "
                     "reject; they are not the definition of a code.</p>")
        for t in self.themes:
            parts.append(f"<h2>Theme: {e(t.label)}</h2><p><code>{e(t.name)}</code> — {e(t.definition.strip())}</p>")
            for c in t.codes:
                parts.append(f"<h3>{e(c.label)} (<code>{e(c.name)}</code>)</h3><dl>")
                for title, value in (("Definition", c.definition), ("Use when", c.use_when),
                                     ("Do not use when", c.not_when), ("Example", c.example),
                                     ("Hints for suggestions", _hint_text(c.hints)),
                                     ("Outcome frameworks", tags_text(c.framework_tags))):
                    if value:
                        parts.append(f"<dt>{title}</dt><dd>{e(value.strip())}</dd>")
                parts.append("</dl>")
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"


def _hint_text(hints: Hints) -> str:
    parts = []
    if hints.words:
        parts.append("words: " + ", ".join(hints.words))
    if hints.phrases:
        parts.append("phrases: " + ", ".join(f"“{p}”" for p in hints.phrases))
    if hints.regex:
        parts.append("patterns: " + ", ".join(f"/{r}/" for r in hints.regex))
    if hints.negation_expected:
        parts.append("still evidence when negated: " + ", ".join(f"“{p}”" for p in hints.negation_expected))
    for role, listed in hints.by_role:
        parts.append(f"only from a {role.replace('_', ' ')}: " + ", ".join(listed))
    if hints.negation == "evidence":
        parts.append("every hint is evidence even when negated")
    if hints.about == "young_person":
        parts.append("not from an adult about their own feelings")
    if hints.questions:
        parts.append("in the interviewer's question: " + ", ".join(f"“{p}”" for p in hints.questions))
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------------------- loading

class _Map(dict):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping and refuses duplicate keys."""

    duplicate_keys: list[tuple[str, int]]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            loader.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
        seen.add(key)
    mapping = _Map(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _string_list(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    return None


#: characters a single-character item of a pattern is tried on, to see whether two such items overlap
_PROBE = string.printable + "\u00e9\u00df\u0131\u0130\u00a0\u2019\u0436"


def _nested_repeat(pattern: str) -> bool:
    """Whether ``pattern`` has a shape whose backtracking grows exponentially, or as a high power, with the text
    (OWASP, "Regular expression Denial of Service"): an unbounded (or long) repeat around a group that itself
    repeats (``(a+)+``) or that offers alternatives (``(a|aa)+``), or three or more unbounded repeats of single
    characters in a row that can match the same character (``\\w*\\w*\\w*``, ``.*.*.*``). Possessive repeats and
    atomic groups, which never backtrack, are allowed."""
    try:
        from re import _compiler as compiler
        from re import _constants as c
        from re import _parser as parser
    except ImportError:  # Python < 3.11
        import sre_compile as compiler  # type: ignore[no-redef]
        import sre_constants as c  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]

    parsed = parser.parse(pattern)

    def chars(item) -> set[str] | None:
        """The probe characters a repeat of one character matches, or None when it is not such a repeat."""
        op, av = item
        if op not in (c.MAX_REPEAT, c.MIN_REPEAT) or av[1] != c.MAXREPEAT or len(av[2]) != 1:
            return None
        if av[2][0][0] not in (c.ANY, c.IN, c.LITERAL, c.NOT_LITERAL, c.CATEGORY):
            return None
        one = compiler.compile(parser.SubPattern(parsed.state, list(av[2])), 0)
        return {ch for ch in _PROBE if one.fullmatch(ch)}

    def overlapping_run(items) -> bool:
        run: list[set[str]] = []
        for item in items:
            found = chars(item)
            if found is None:
                run = [] if item[0] not in (c.AT,) else run
                continue
            run = [r for r in run if r & found] + [found]
            if len(run) >= 3 and set.intersection(*run[-3:]):
                return True
        return False

    def walk(items, inside: bool) -> bool:
        if overlapping_run(items):
            return True
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                _, high, sub = av
                long = high == c.MAXREPEAT or high > 10
                if long and inside:
                    return True
                if long and any(o is c.BRANCH or (o is c.SUBPATTERN and any(x is c.BRANCH for x, _ in a[-1]))
                                for o, a in sub):
                    return True  # (a|aa)+: the alternatives can split the same text in many ways
                if walk(sub, inside or long):
                    return True
            elif op is c.SUBPATTERN and walk(av[-1], inside):
                return True
            elif op is c.BRANCH and any(walk(branch, inside) for branch in av[1]):
                return True
            elif op in (c.ASSERT, c.ASSERT_NOT) and walk(av[1], inside):
                return True
        return False

    return walk(parsed, False)


def _parse_hints(raw, where: dict, problems: list[dict]) -> Hints:
    if raw is None:
        return Hints()
    if not isinstance(raw, dict):
        problems.append({**where, "column": "hints", "message": "hints must be a mapping with words, phrases, regex"})
        return Hints()
    for key in set(raw) - _HINT_FIELDS:
        problems.append({**where, "column": f"hints.{key}",
                         "message": f"unknown hint field {key!r}; use words, phrases, regex, "
                                    "negation_expected, by_role, questions, negation or about"})
    lists = {}
    by_role: list[tuple[str, tuple[str, ...]]] = []
    raw_roles = raw.get("by_role")
    if raw_roles is not None:
        from cm_research.qual.roles import accepted_spellings, normalise_role

        if not isinstance(raw_roles, dict):
            problems.append({**where, "column": "hints.by_role",
                             "message": "hints.by_role must map a role to a list of words or phrases"})
        else:
            for role, values in raw_roles.items():
                canonical = normalise_role(str(role))
                listed = _string_list(values)
                if canonical is None:
                    problems.append({**where, "column": "hints.by_role", "value": str(role),
                                     "message": f"unknown role {role!r} in hints.by_role; roles are "
                                                f"{accepted_spellings()}"})
                elif listed is None or not all(words(v.rstrip("*")) for v in listed):
                    problems.append({**where, "column": "hints.by_role", "value": str(role),
                                     "message": f"hints.by_role.{role} must be a list of words or phrases"})
                else:
                    by_role.append((canonical, tuple(v for v in listed if v)))
    negation = raw.get("negation", "flag")
    if negation not in ("flag", "evidence"):
        problems.append({**where, "column": "hints.negation", "value": str(negation),
                         "message": f"hints.negation must be flag or evidence, not {negation!r}"})
        negation = "flag"
    about = raw.get("about", "anyone")
    if about not in ("anyone", "young_person"):
        problems.append({**where, "column": "hints.about", "value": str(about),
                         "message": f"hints.about must be anyone or young_person, not {about!r}"})
        about = "anyone"
    for key in ("words", "phrases", "regex", "negation_expected", "questions"):
        values = _string_list(raw.get(key))
        if values is None:
            problems.append({**where, "column": f"hints.{key}", "message": f"hints.{key} must be a list of text"})
            values = []
        for v in values:
            if not v:
                problems.append({**where, "column": f"hints.{key}", "message": f"hints.{key} has an empty entry"})
            elif key != "regex" and not words(v.rstrip("*")):
                problems.append({**where, "column": f"hints.{key}", "value": v,
                                 "message": f"hint {v!r} has no letters or digits to match"})
            elif key == "regex":
                try:
                    re.compile(v)
                except re.error as exc:
                    problems.append({**where, "column": "hints.regex", "value": v,
                                     "message": f"regular expression {v!r} does not compile: {exc}"})
                    continue
                if _nested_repeat(v):
                    problems.append({**where, "column": "hints.regex", "value": v, "message": (
                        f"regular expression {v!r} repeats a group that itself repeats (like (a+)+), which can take "
                        "hours on a single sentence that almost matches; write it without the outer repeat, or as "
                        "words and phrases")})
        lists[key] = [v for v in values if v]
    phrases = lists["phrases"] + [w for w in lists["words"] if " " in w.strip()]
    return Hints(tuple(w for w in lists["words"] if " " not in w.strip()), tuple(phrases), tuple(lists["regex"]),
                 tuple(lists["negation_expected"]), tuple(by_role), tuple(lists["questions"]),
                 negation, about)


def parse_codebook(data, source: str = "codebook") -> Codebook:
    """Build and validate a :class:`Codebook` from parsed YAML (a mapping); raise CodebookError listing problems."""
    problems: list[dict] = []

    def problem(line, message, column="", value=""):
        problems.append({"file": source, "line": line, "column": column, "value": value, "message": message})

    def checked_name(raw: dict, line, kind: str, fields: set[str], index: int, unnamed: str) -> str | None:
        """The entry's name, after noting unknown fields, a missing name (None) or a name of the wrong form."""
        name = _text(raw.get("name"))
        for key in set(raw) - fields:
            problem(line, f"{kind} {name or index}: unknown field {key!r}; {kind} fields are "
                          f"{', '.join(sorted(fields))}", key)
        if not name:
            problem(line, f"{unnamed} has no name", "name")
            return None
        name = unicodedata.normalize("NFC", name)  # "café" typed with a combining accent is the same name
        if not _NAME.match(name):
            problem(line, f"{kind} name '{escape_unseen(name)}' must start with a letter and hold only letters, "
                          "digits, _ or -", "name", escape_unseen(name))
        elif mixed_script_word(name):
            letters = ", ".join(character_name(c) for c in dict.fromkeys(name) if c.isalpha() and not c.isascii())
            problem(line, f"{kind} name {name!r} mixes Latin letters with look-alike letters of another alphabet "
                          f"({letters}), so it looks like {name.translate(HOMOGLYPHS)!r} but is another name; "
                          "retype it", "name", name)
        return name

    if not isinstance(data, dict) or not data:
        raise CodebookError.from_problems([{"file": source, "line": None, "column": "", "value": "",
                                            "message": "the codebook is empty or is not a YAML mapping"}], source)
    top_line = getattr(data, "line", None)
    for key in set(data) - _TOP_FIELDS:
        problem(top_line, f"unknown field {key!r}; top-level fields are {', '.join(sorted(_TOP_FIELDS))}", key)
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        problem(top_line, "the codebook has no themes: add a 'themes:' list", "themes")
        raise CodebookError.from_problems(problems, source)
    allow_shared = bool(data.get("allow_shared_codes", False))
    themes: list[Theme] = []
    theme_lines: dict[str, int] = {}
    code_homes: dict[str, tuple[str, int]] = {}
    for t_index, raw in enumerate(raw_themes, start=1):
        if not isinstance(raw, dict):
            problem(top_line, f"theme {t_index} is not a mapping with name, label, definition and codes")
            continue
        line = getattr(raw, "line", None)
        name = checked_name(raw, line, "theme", _THEME_FIELDS, t_index, f"theme {t_index}")
        if name is None:
            continue
        if name in theme_lines:
            problem(line, f"theme {name!r} is defined twice (also at line {theme_lines[name]})", "name", name)
        theme_lines[name] = line
        if not _text(raw.get("definition")):
            problem(line, f"theme {name!r} has an empty definition", "definition")
        raw_codes = raw.get("codes")
        if not isinstance(raw_codes, list) or not raw_codes:
            problem(line, f"theme {name!r} has no codes", "codes")
            raw_codes = []
        codes: list[Code] = []
        for c_index, rc in enumerate(raw_codes, start=1):
            if not isinstance(rc, dict):
                problem(line, f"theme {name!r}: code {c_index} is not a mapping")
                continue
            cline = getattr(rc, "line", None)
            cname = checked_name(rc, cline, "code", _CODE_FIELDS, c_index, f"theme {name!r}: code {c_index}")
            if cname is None:
                continue
            if cname in code_homes:
                home, home_line = code_homes[cname]
                if home == name:
                    problem(cline, f"code {cname!r} appears twice in theme {name!r} (also at line {home_line})",
                            "name", cname)
                elif not allow_shared:
                    problem(cline, f"code {cname!r} is in two themes, {home!r} (line {home_line}) and {name!r}; "
                                   "rename one, or set 'allow_shared_codes: true' if a code may serve two themes",
                            "name", cname)
            else:
                code_homes[cname] = (name, cline)
            if not _text(rc.get("definition")):
                problem(cline, f"code {cname!r} has an empty definition", "definition")
            where = {"file": source, "line": cline, "value": ""}
            hints = _parse_hints(rc.get("hints"), where, problems)
            try:
                tags = parse_tags(rc.get("frameworks"), f"code {cname!r}")
            except FrameworkTagError as exc:
                problem(cline, str(exc), "frameworks")
                tags = {}
            label = _text(rc.get("label")) or cname.replace("_", " ").capitalize()
            codes.append(Code(name=cname, theme=name, label=label,
                              definition=_text(rc.get("definition")), use_when=_text(rc.get("use_when")),
                              not_when=_text(rc.get("not_when")), example=_text(rc.get("example")), hints=hints,
                              line=cline, frameworks=tuple(tags.items())))
        themes.append(Theme(name=name, label=_text(raw.get("label")) or name.replace("_", " ").capitalize(),
                            definition=_text(raw.get("definition")), codes=tuple(codes), line=line))
    for p in problems:
        p.setdefault("column", "")
        p.setdefault("value", "")
    if problems:
        raise CodebookError.from_problems(problems, source)
    return Codebook(name=_text(data.get("name")) or "Codebook", themes=tuple(themes),
                    description=_text(data.get("description")), allow_shared_codes=allow_shared, source=source)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook YAML file; ``None`` loads the bundled starter codebook.

    Raises :class:`CodebookError` listing every problem with its file and line.
    """
    path = Path(path) if path else STARTER_CODEBOOK
    if not path.exists():
        raise FileNotFoundError(f"no codebook at {path}")
    loader = _LineLoader(path.read_text(encoding="utf-8-sig"))
    loader.duplicate_keys = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CodebookError.from_problems([{
            "file": path.name, "line": mark.line + 1 if mark else None, "column": "", "value": "",
            "message": f"not valid YAML: {getattr(exc, 'problem', exc)}"}], path.name) from exc
    finally:
        loader.dispose()
    if count_values(data) > MAX_VALUES:
        raise CodebookError.from_problems([{
            "file": path.name, "line": None, "column": "", "value": "",
            "message": f"the file expands to more than {MAX_VALUES:,} values (YAML anchors and aliases repeated "
                       "inside each other?), far more than a codebook holds, so it is refused"}], path.name)
    if loader.duplicate_keys:
        raise CodebookError.from_problems([{
            "file": path.name, "line": line, "column": key, "value": "",
            "message": f"field {key!r} is given twice in the same block; YAML would silently keep only the last"}
            for key, line in loader.duplicate_keys], path.name)
    return parse_codebook(data, source=path.name)


def write_codebook_exports(codebook: Codebook, output_dir: str | Path) -> dict[str, Path]:
    """Write codebook.md, codebook.html and codebook.csv to ``output_dir``; returns their paths."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": output_dir / "codebook.md", "html": output_dir / "codebook.html",
             "csv": output_dir / "codebook.csv"}
    paths["markdown"].write_text(codebook.to_markdown(), encoding="utf-8")
    paths["html"].write_text(codebook.to_html(), encoding="utf-8")
    write_csv(codebook.table(), paths["csv"])
    return paths
