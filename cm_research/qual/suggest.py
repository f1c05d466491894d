"""Suggested coding: mark segments whose words match a code's hints, for the analyst to accept or reject.

Keyword matching is not analysis. Every row this module returns is a *suggestion* (``source`` is
``"suggestion"``, ``status`` is ``"suggested - not reviewed"``), carries the words that matched, and is flagged
when a negation cue comes just before the match ("I didn't feel confident" is not evidence of confidence
gained). The analyst reviews suggestions in a CSV (:func:`write_review_csv`) and only accepted rows become
coding (:func:`cm_research.qual.coding.read_review_csv`).

How matching works
------------------
Segments are lower-cased, joined in chunks and split on white space (in C). Each distinct piece of text
("confident," "didn't") is tokenised once with nltk's ``RegexpTokenizer`` and its words stemmed once with
nltk's Snowball stemmer, then looked up in tables built from the codebook: stem -> codes for word hints,
anchor stem -> phrases for phrase hints (a phrase is anchored on its first word that is not a common
function word, and matches when the words around the anchor have the phrase's other stems, in order, within
the same segment). A set lookup picks out the pieces that hold a hint word, and only those are visited
in Python, so the cost grows with the number of words and of matches, hardly with the size of the codebook.
Regular-expression hints (rare) are searched in each segment's original text, behind one combined pattern.

Negation is scoped to the clause: the words before a match, up to ``negation_window`` of them, are read
back to the first clause break (, ; : . ! ? but although though however because when which if ...). "that"
ends the clause too, except after a verb that carries negation over it ("I don't think that ...") and in
"not that ...", which is itself a negation. A match is *negated* when its clause holds an odd number of
negation cues (not, no, never, nothing, nobody, without, any word ending in n't ...); an even number is a
double negation ("not that I didn't trust her", "I'm not saying I didn't"), which is not flagged, and "never
thought I would ..." is a surprise and "I don't want it to stop" a wish, not a denial. Hints listed under ``negation_expected`` are evidence when
negated ("he never once let me down"), and so is every hint of a code marked ``negation: evidence``, a code
whose absence is itself evidence about it ("we're not great at joined-up working"). Hedges and discourse markers ("to be honest", "honestly", "to be
fair") are never evidence. Hints under ``by_role`` count only in that role's words (a social worker's
"worry" is not the young person's anxiety). A code's suggestion in a segment is negated only when all of its
matches there are; ``flag_reason`` says why a suggestion was, or was not, flagged.

Answers and their questions: people answer the question they were asked ("How have you managed it alongside
work?" - "It's been tight."), so a sentence of a participant's answer that matches no hint of its own takes
the codes that the interviewer's question matches (:func:`suggest_codes`, ``question_context``). In a question,
a code's ``hints.questions`` count, and its other hints only when it lists none. On the hand-coded gold set
(``benchmarks/eval_suggestions.py``) this is most of the gain in recall; it is also where most new false
positives come from, so those suggestions show the question's words and say where they came from.

Base forms: the stemmer is helped by a small list of irregular forms kept in the repository
(:data:`cm_research.qual.tokens.IRREGULAR`: "has" -> "have", "felt" -> "feel"), so nothing is downloaded.

The learned coder: by default :func:`suggest_codes` also scores each participant sentence with the model that
ships with the package (:mod:`cm_research.qual.learned`, trained on the gold set), which adds suggestions the
hints miss (paraphrase, context); codes it does not know are left to the hints. ``model=None`` gives the hints alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import pandas as pd

from cm_research.data.writing import write_csv
from cm_research.deprecation import renamed_arguments
from cm_research.qual.codebook import Codebook
from cm_research.qual.roles import role_name
from cm_research.qual.tokens import (CLAUSE_BREAKS, HEDGES, NEG_RAISING, STOPWORDS, SURPRISE, TOKEN_RE, WISH,
                                     clause_tokenizer, is_hedge, is_negator, normalise, stem, stems_of)

SUGGESTION_STATUS = "suggested - not reviewed"
_COMMON_STEMS = frozenset(stem(w) for w in STOPWORDS)
#: the "role" of hints that count only in an interviewer's question (``hints.questions``)
QUESTION = "interviewer's question"
NO_NEGATION = "not flagged: no negation cue in its clause"
_SEP = "\x00"  # joins segments for one split; never found in interviews (blanked out if it is)
_JOIN = f" {_SEP} "
SUGGESTION_COLUMNS = ["segment_id", "transcript", "participant", "role", "site", "start", "end", "code", "theme",
                      "matched", "negated", "negation_cue", "flag_reason", "source", "status", "text", "score",
                      "model_words"]


#: a phrase hint: its stems, the position of its anchor stem in them, the code, and whether it is evidence
#: even when negated
_Phrase = tuple[tuple[str, ...], int, int, bool]


@dataclass
class _Entry:
    stem: str
    codes: tuple[int, ...]
    phrases: tuple[_Phrase, ...]
    #: the most words any of its phrases needs after and before the anchor
    n_after: int = 0
    n_before: int = 0
    #: its phrases by the stem that must follow the anchor (None: the anchor ends the phrase)
    by_next: dict = field(default_factory=dict)


@dataclass
class Matcher:
    """The codebook's hints compiled for fast lookup; build once with :func:`compile_codebook`."""

    code_names: list[str]
    code_themes: list[str]
    stem_codes: dict[str, tuple[int, ...]]
    prefixes: list[tuple[str, int]]
    #: anchor stem -> the phrases anchored on it (a phrase is looked for only where its anchor, its rarest-looking
    #: word, occurs: "what i wanted" at "wanted", not at every "what")
    phrase_anchors: dict[str, tuple[_Phrase, ...]]
    regexes: list[tuple[int, re.Pattern]]
    any_regex: re.Pattern | None
    negation_window: int = 8
    #: (stem, code) of word hints that are evidence even when negated
    negation_ok: frozenset = frozenset()
    #: matcher code indices whose every hint is evidence even when negated (``hints.negation: evidence``)
    evidence_codes: frozenset = frozenset()
    #: matcher code index -> codebook code index (role-restricted hints have codes of their own) and the role
    #: they are restricted to (None: any role)
    code_of: list[int] = field(default_factory=list)
    code_roles: list[str | None] = field(default_factory=list)
    # lazily filled, per distinct surface word
    _entries: dict[str, _Entry] = field(default_factory=dict, repr=False)
    _stems: dict[str, str] = field(default_factory=dict, repr=False)
    _known: set[str] = field(default_factory=set, repr=False)
    _hit_words: set[str] = field(default_factory=set, repr=False)
    _negators: set[str] = field(default_factory=set, repr=False)
    _pieces: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _interesting: set[str] = field(default_factory=set, repr=False)

    def _learn(self, new_words) -> None:
        for w in new_words:
            if len(w) == 1 and not w.isalnum():  # punctuation and the separator
                self._known.add(w)
                continue
            s = stem(w)
            self._stems[w] = s
            codes = set(self.stem_codes.get(s, ()))
            for prefix, c in self.prefixes:
                if w.startswith(prefix):
                    codes.add(c)
            phrases = self.phrase_anchors.get(s, ())
            if codes or phrases or w in HEDGES:
                by_next: dict[str | None, tuple[_Phrase, ...]] = {}
                for ph in phrases:
                    key = ph[0][ph[1] + 1] if ph[1] + 1 < len(ph[0]) else None
                    by_next[key] = (*by_next.get(key, ()), ph)
                self._entries[w] = _Entry(s, tuple(sorted(codes)), phrases,
                                          max((len(p) - a - 1 for p, a, _, _ in phrases), default=0),
                                          max((a for _, a, _, _ in phrases), default=0), by_next)
                self._hit_words.add(w)
            if is_negator(w):
                self._negators.add(w)
            self._known.add(w)

    def _negation(self, tokens: list[str], i: int) -> tuple[str | None, str]:
        """(negation cue or None, reason) for the match at position ``i``: the negation cues in its clause,
        read back over at most ``negation_window`` tokens (module docstring)."""
        found: list[str] = []
        j, lo = i - 1, max(-1, i - 1 - self.negation_window)
        while j > lo:
            t = tokens[j]
            if t == "that":
                previous = tokens[j - 1] if j > 0 else ""
                if previous in self._negators:  # "not that I didn't ..."
                    found.append(f"{previous} that")
                    j -= 2
                    continue
                if previous not in NEG_RAISING:
                    break
            elif t in CLAUSE_BREAKS or t == _SEP:
                break
            elif t in self._negators:
                following = tokens[j + 1] if j + 1 < len(tokens) else ""
                if following in SURPRISE:
                    return None, f"not flagged: '{t} {following}' reports a surprise, not a denial"
                if following in WISH:
                    return None, f"not flagged: '{t} {following}' is a wish or a fear, not a denial"
                found.append(t)
            j -= 1
        if not found:
            return None, NO_NEGATION
        if len(found) % 2 == 0:
            return None, f"not flagged: double negation ('{' ... '.join(reversed(found))}')"
        return found[0], f"flagged: negated by '{found[0]}' in the same clause"

    def _learn_pieces(self, new_pieces) -> None:
        """Split new whitespace-separated pieces ("confident," "didn't") into tokens; learn their words."""
        for piece in new_pieces:
            tokens = (_SEP,) if piece == _SEP else tuple(clause_tokenizer.tokenize(piece))
            self._pieces[piece] = tokens
            new_words = set(tokens) - self._known
            if new_words:
                self._learn(new_words)
            if piece == _SEP or not self._hit_words.isdisjoint(tokens):
                self._interesting.add(piece)

    def _before(self, raw: list[str], i: int, tokens: tuple[str, ...], j: int, extra: int = 0) -> list[str]:
        """At least ``negation_window`` + ``extra`` tokens before token j of piece i (fewer at the start of a
        text)."""
        out = list(tokens[:j])
        k = i - 1
        while len(out) < self.negation_window + extra and k >= 0:
            out[:0] = self._pieces[raw[k]]
            if raw[k] == _SEP:
                break
            k -= 1
        return out

    def _after(self, raw: list[str], i: int, tokens: tuple[str, ...], j: int, n: int) -> list[str]:
        """Up to ``n`` tokens after token j of piece i, stopping at the end of the text."""
        out = list(tokens[j + 1:])
        k = i + 1
        while len(out) < n and k < len(raw) and raw[k] != _SEP:
            out.extend(self._pieces[raw[k]])
            k += 1
        return out[:n]

    def _flag(self, before: list[str], words: str, negation_ok: bool) -> tuple[str | None, str]:
        cue, reason = self._negation(before, len(before))
        if cue is not None and negation_ok:
            return None, f"not flagged: '{words}' is evidence even when negated ('{cue}')"
        return cue, reason

    def _match_pieces(self, raw: list[str], positions, first: int) -> list[tuple[int, int, str, str | None, str]]:
        """(text number, code, matched words, negation cue, reason) for the hint words in the pieces at
        ``positions``; a separator among them moves the text number on by one, starting from ``first``."""
        entries, stems, hit_words, negation_ok = self._entries, self._stems, self._hit_words, self.negation_ok
        evidence = self.evidence_codes
        out = []
        owner = first
        for i in positions:
            piece = raw[i]
            if piece == _SEP:
                owner += 1
                continue
            tokens = self._pieces[piece]
            for j, word in enumerate(tokens):
                if word not in hit_words:
                    continue
                entry = entries[word]
                before = None  # looked for once, only when something matched here
                codes = entry.codes
                if word in HEDGES:
                    before = self._before(raw, i, tokens, j)
                    if is_hedge(word, before):
                        codes = ()  # "to be honest", "honestly": never evidence
                for c in codes:
                    if before is None:
                        before = self._before(raw, i, tokens, j)
                    cue, reason = self._flag(before, word, (entry.stem, c) in negation_ok or c in evidence)
                    out.append((owner, c, word, cue, reason))
                if not entry.phrases:
                    continue
                following = self._after(raw, i, tokens, j, entry.n_after) if entry.n_after else []
                candidates = entry.by_next.get(None, ())
                nxt = stems.get(following[0]) if following else None
                if nxt is not None:  # only the phrases whose next stem is the next word's
                    candidates += entry.by_next.get(nxt, ())
                for phrase, a, c, ok in candidates:
                    n_after = len(phrase) - a - 1
                    if n_after > 1 and (len(following) < n_after or
                                        not all(stems.get(t) == s for t, s in zip(following[1:], phrase[a + 2:]))):
                        continue
                    rest = following[:n_after]
                    if before is None or len(before) < self.negation_window + entry.n_before:
                        before = self._before(raw, i, tokens, j, entry.n_before)
                    if a:
                        lead = before[len(before) - a:]
                        if len(lead) != a or not all(stems.get(t) == s for t, s in zip(lead, phrase[:a])):
                            continue
                    words = " ".join([*before[len(before) - a:], word, *rest] if a else [word, *rest])
                    cue, reason = self._flag(before[:len(before) - a], words, ok)
                    out.append((owner, c, words, cue, reason))
        return out

    def _match_regex(self, text: str) -> list[tuple[int, str, str | None, str]]:
        out = []
        if self.any_regex is not None and self.any_regex.search(text):
            for c, rx in self.regexes:
                m = rx.search(text)
                if m:
                    before = TOKEN_RE.findall(normalise(text[:m.start()]))
                    self._learn(set(before) - self._known)
                    out.append((c, m.group(0), *self._flag(before, m.group(0), c in self.evidence_codes)))
        return out

    def match_segment(self, text: str) -> dict[int, list[tuple[str, str | None]]]:
        """Code index -> [(matched words, negation cue or None)] for one piece of text."""
        found: dict[int, list[tuple[str, str | None]]] = {}
        for _, c, words, cue, _reason in self.match_many([text]):
            found.setdefault(c, []).append((words, cue))
        return found

    def match_many(self, texts: list[str], chunk: int = 8192,
                   offset: int = 0) -> list[tuple[int, int, str, str | None, str]]:
        """(text number + ``offset``, code, matched words, negation cue, reason) for every match in ``texts``.

        Texts are lower-cased and joined in chunks with a separator, and split on white space (fast, in C).
        Each distinct piece ("confident," "didn't") is tokenised and stemmed once, ever; only the pieces that
        hold a hint word are then visited in Python, with the words around them for negation and phrases.
        """
        out: list[tuple[int, int, str, str | None, str]] = []
        for first in range(0, len(texts), chunk):
            part = texts[first:first + chunk]
            joined = _JOIN.join(part)
            if joined.count(_SEP) != len(part) - 1:  # a text holding the separator itself: blank it out
                part = [t.replace(_SEP, " ") for t in part]
                joined = _JOIN.join(part)
            raw = normalise(joined).split()
            distinct = set(raw)
            if not distinct <= self._pieces.keys():
                self._learn_pieces(distinct - self._pieces.keys())
            positions = compress(range(len(raw)), map(self._interesting.__contains__, raw))
            out.extend(self._match_pieces(raw, positions, offset + first))
            if self.any_regex is not None:
                for k, text in enumerate(part):
                    for c, words, cue, reason in self._match_regex(text):
                        out.append((offset + first + k, c, words, cue, reason))
        return out


def _anchor(stems: tuple[str, ...]) -> int:
    """The position of the stem a phrase is looked up by: its first word that is not a common function word
    (the longest stem if all are), so that "what i wanted" is tried only where "wanted" occurs."""
    content = [k for k, s in enumerate(stems) if s not in _COMMON_STEMS]
    if content:
        return content[0]
    return max(range(len(stems)), key=lambda k: len(stems[k]))


def compile_codebook(codebook: Codebook, negation_window: int = 8) -> Matcher:
    """Compile a codebook's hints into a :class:`Matcher`.

    ``negation_window``: how many words before a match are read for negation cues (the clause usually ends
    sooner).
    """
    if negation_window < 0:
        raise ValueError("negation_window must be 0 or more words")
    names = codebook.code_names
    index = {name: i for i, name in enumerate(names)}
    code_of, code_roles = list(range(len(names))), [None] * len(names)
    stem_codes: dict[str, set[int]] = {}
    prefixes: list[tuple[str, int]] = []
    phrase_anchors: dict[str, list[_Phrase]] = {}
    regexes: list[tuple[int, re.Pattern]] = []
    negation_ok: set[tuple[str, int]] = set()
    evidence_codes: set[int] = set()

    def add(hint: str, c: int, ok: bool = False) -> None:
        w = normalise(hint.strip())
        if w.endswith("*") and " " not in w:
            prefixes.append((w.rstrip("*"), c))
            return
        stems = stems_of(w)
        if len(stems) == 1:
            stem_codes.setdefault(stems[0], set()).add(c)
            if ok:
                negation_ok.add((stems[0], c))
        elif stems:
            a = _anchor(stems)
            entry = (stems, a, c, ok)
            if entry not in phrase_anchors.setdefault(stems[a], []):
                phrase_anchors[stems[a]].append(entry)

    for code in codebook.codes:
        c = index[code.name]
        evidence = code.hints.negation == "evidence"
        if evidence:
            evidence_codes.add(c)
        for w in code.hints.words:
            add(w, c, ok=evidence)  # a hyphenated word ("short-staffed") is a phrase of its parts
        for p in code.hints.phrases:
            add(p, c, ok=evidence)
        for p in code.hints.negation_expected:
            add(p, c, ok=True)
        for role, listed in (*code.hints.by_role, (QUESTION, code.hints.questions)):
            if not listed:
                continue
            v = len(code_of)
            if evidence:
                evidence_codes.add(v)
            code_of.append(c)
            code_roles.append(role)
            for p in listed:
                add(p, v, ok=evidence)
        for r in code.hints.regex:
            regexes.append((c, re.compile(r, re.IGNORECASE)))
    any_regex = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in regexes), re.IGNORECASE) if regexes else None
    return Matcher(
        code_names=names, code_themes=["; ".join(codebook.themes_of(n)) for n in names],
        stem_codes={k: tuple(sorted(v)) for k, v in stem_codes.items()}, prefixes=prefixes,
        phrase_anchors={k: tuple(v) for k, v in phrase_anchors.items()}, regexes=regexes, any_regex=any_regex,
        negation_window=negation_window, negation_ok=frozenset(negation_ok),
        evidence_codes=frozenset(evidence_codes), code_of=code_of, code_roles=code_roles,
    )


def _answers(segments: pd.DataFrame) -> list[tuple[int, str]]:
    """(row, question) for each participant sentence of a turn that directly answers an interviewer's turn
    ("Did you trust her?" - "Yeah, eventually. It took ages though."); the question is the interviewer's
    whole turn."""
    need = {"is_interviewer", "transcript", "turn", "text"}
    if not need <= set(segments.columns) or segments.empty:
        return []
    interviewer = segments["is_interviewer"].to_numpy(dtype=bool)
    transcript = segments["transcript"].to_numpy(dtype=object)
    turn = segments["turn"].to_numpy()
    texts = segments["text"].tolist()
    n = len(texts)
    # a new turn starts where the speaker kind, the turn number or the transcript changes
    new = np.ones(n, dtype=bool)
    new[1:] = (interviewer[1:] != interviewer[:-1]) | (turn[1:] != turn[:-1]) | (transcript[1:] != transcript[:-1])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)
    out = []
    for k in range(1, len(starts)):
        a, b = starts[k], ends[k]
        q0, q1 = starts[k - 1], ends[k - 1]
        if interviewer[a] or not interviewer[q0] or transcript[q0] != transcript[a]:
            continue
        question = " ".join(texts[q0:q1])
        out.extend((int(row), question) for row in range(a, b))
    return out


@renamed_arguments(short_answer_words="question_context")  # 0 turned it off, as False does now
def suggest_codes(segments: pd.DataFrame, codebook: Codebook | Matcher, negation_window: int = 8,
                  include_interviewer: bool = False, question_context: bool = True,
                  model="auto") -> pd.DataFrame:
    """Suggest codes for segments whose words match the codebook's hints.

    Parameters
    ----------
    segments
        A segments table (:func:`cm_research.qual.segments.segment_transcripts`); needs ``text`` and, for the
        output, segment_id, transcript, participant, role, site, start, end, is_interviewer where present.
    codebook
        A :class:`Codebook`, or a :class:`Matcher` compiled from one.
    negation_window
        How many words before a match are searched for a negation cue.
    include_interviewer
        Interviewer (and other non-participant) segments are not coded unless this is True.
    model
        The learned coder (:mod:`cm_research.qual.learned`) that scores every participant sentence for the codes
        it was trained on: ``"auto"`` (default) uses the weights that ship with the package (trained on the
        gold set by ``benchmarks/train_coder.py``), a :class:`~cm_research.qual.learned.CoderModel` those, and
        None the hint rules alone. The rule coder's suggestions stay (each with the model's ``score`` and
        ``model_words``) unless its check drops a counted one (a hint often wrong in training that the model also
        scores low, :func:`cm_research.qual.learned.combine`); the model adds a suggestion
        where its probability for a code reaches its ``threshold`` and no hint of that code matched the
        sentence (a negated match keeps its flag). Codes the model does
        not know (an analyst's own) are left to the rules: their ``score`` is empty, as it is everywhere when
        ``segment_id`` is missing or not unique.
    question_context
        A sentence of a participant's answer that matches no hint itself (not even a negated one) is
        suggested the codes that its interviewer's question matches ("Did you trust her?" - "Yeah,
        eventually."; "How do you fit it around your job?" - "My manager was brilliant about it."), with the
        question's words in ``matched`` and the reason in ``flag_reason``. In a question, a code's
        ``hints.questions`` count, and its other hints only when it lists no ``questions``. People answer the question they were asked: on the gold set
        (``benchmarks/eval_suggestions.py``) this is most of the gain in recall over the sentence's own words.

    Returns
    -------
    One row per (segment, code) suggestion, columns: segment_id, transcript, participant, role, site, start,
    end, code, theme, matched (the words that matched, ``"; "``-separated), negated (bool), negation_cue,
    flag_reason (why the suggestion was or was not flagged, and any condition on the speaker), source (``"suggestion"``), status (``"suggested - not reviewed"``), text (the segment, which is
    ``transcript.text[start:end]``), score (the model's probability for the code, empty for codes it does not
    know or when ``model`` is None), model_words (the sentence's words that add most to that score).
    """
    segments = _with_text(segments)
    rules = _suggest_by_rules(segments, codebook, negation_window, include_interviewer, question_context)
    if isinstance(model, str):
        if model != "auto":
            raise ValueError(f"model must be 'auto', None or a CoderModel, not {model!r}")
        from cm_research.qual.learned import shipped_model

        model = shipped_model()
    names = codebook.code_names
    if (model is None or not set(model.codes) & set(names) or "segment_id" not in segments.columns
            or not segments["segment_id"].is_unique):  # the model's rows are found by segment_id
        return rules
    from cm_research.qual.learned import combine, featurise

    themes = dict(zip(rules["code"], rules["theme"]))
    if isinstance(codebook, Matcher):
        themes.update(zip(codebook.code_names, codebook.code_themes))
    else:
        themes.update((c, "; ".join(codebook.themes_of(c))) for c in names)
    raw = featurise(segments, model.protos, model.stems, rules=rules if model.uses_rules else None,
                    codes=model.codes)
    if len(raw.rows) == 0:
        return rules
    return combine(rules, segments, raw, model.scores(raw), model.threshold, model, themes,
                   SUGGESTION_STATUS)[SUGGESTION_COLUMNS]


def _with_text(segments: pd.DataFrame) -> pd.DataFrame:
    """The segments with ``text`` as strings: an empty cell (a table read from a file with a blank sentence)
    is an empty sentence, which matches nothing; any other value is read as its text."""
    if "text" not in segments.columns:
        raise KeyError("segments need a 'text' column (see cm_research.qual.segments.segment_transcripts)")
    text = segments["text"]
    if pd.api.types.is_string_dtype(text) and not text.isna().any():  # object columns: inferred from values
        return segments
    return segments.assign(text=[v if isinstance(v, str) else "" if pd.isna(v) else str(v) for v in text])


def _suggest_by_rules(segments: pd.DataFrame, codebook: Codebook | Matcher, negation_window: int,
                      include_interviewer: bool, question_context: bool) -> pd.DataFrame:
    """:func:`suggest_codes` by the codebook's hints alone (the model's columns empty)."""
    matcher = codebook if isinstance(codebook, Matcher) else compile_codebook(codebook, negation_window)
    if "text" not in segments.columns:
        raise KeyError("segments need a 'text' column (see cm_research.qual.segments.segment_transcripts)")
    texts = segments["text"].tolist()
    if not include_interviewer and "is_interviewer" in segments.columns:
        keep = ~segments["is_interviewer"].to_numpy(dtype=bool)
    else:
        keep = np.ones(len(texts), dtype=bool)
    positions = np.flatnonzero(keep)
    grouped: dict[tuple[int, int], list[tuple[str, str | None, str]]] = {}
    kept = [texts[p] for p in positions]
    code_of, code_roles = matcher.code_of, matcher.code_roles
    roles = segments["role"].to_numpy(dtype=object) if "role" in segments.columns else None
    touched: set[int] = set()  # segments with a match of their own, even one negated or for another role
    for k, c, words, cue, reason in matcher.match_many(kept):
        role = code_roles[c] if c < len(code_roles) else None
        if role == QUESTION:
            continue
        touched.add(k)
        if role is not None:
            if roles is None or roles[positions[k]] != role:
                continue  # a hint that counts only in another role's words
            reason = "; ".join(filter(None, [reason, f"'{words}' counts only from a {role_name(role)}"]))
            c = code_of[c]
        grouped.setdefault((k, c), []).append((words, cue, reason))
    if question_context and not include_interviewer:
        answers = _answers(segments)
        if answers:
            k_of = {int(p): k for k, p in enumerate(positions)}
            have = {k for k, _ in grouped} | touched
            answers = [(k_of[row], q) for row, q in answers if row in k_of and k_of[row] not in have]
            questions = list(dict.fromkeys(q for _, q in answers))
            q_codes: dict[int, dict[int, list[str]]] = {}
            asked = {code_of[v] for v, role in enumerate(code_roles) if role == QUESTION}
            for n, c, words, _cue, _reason in matcher.match_many(questions):
                role = code_roles[c] if c < len(code_roles) else None
                if role is not None and role != QUESTION:
                    continue  # role-restricted hints are about the speaker, not the question
                if role is None and c in asked:
                    continue  # this code lists the words that carry it in a question: only those count there
                found = q_codes.setdefault(n, {}).setdefault(code_of[c] if role else c, [])
                if words not in found:
                    found.append(words)
            q_index = {q: n for n, q in enumerate(questions)}
            for k, q in answers:
                for c, found in q_codes.get(q_index[q], {}).items():
                    words = "; ".join(found)
                    grouped.setdefault((k, c), []).append(
                        (words, None, f"from the interviewer's question ('{words}'): the sentence answers it "
                                      "and matches no hint itself"))
    seg_rows: list[int] = []
    code_ids: list[int] = []
    matched: list[str] = []
    negated: list[bool] = []
    cues: list[str] = []
    reasons: list[str] = []
    ordered = sorted(grouped.items(), key=lambda item: item[0][0])  # stable: codes in the order first matched
    for (k, c), found in ordered:  # segments in order
        seg_rows.append(k)
        code_ids.append(c)
        if len(found) == 1:
            words, cue, reason = found[0]
            matched.append(words)
            negated.append(cue is not None)
            cues.append(cue or "")
            reasons.append(reason)
            continue
        matched.append("; ".join(dict.fromkeys(m for m, _, _ in found)))
        all_negated = all(cue is not None for _, cue, _ in found)
        negated.append(all_negated)
        cues.append(next((cue for _, cue, _ in found if cue), "") if all_negated else "")
        if all_negated:
            reasons.append(found[0][2])
        else:
            kept_reasons = [r for _, cue, r in found if cue is None and r]
            reasons.append("; ".join(dict.fromkeys(kept_reasons)) or NO_NEGATION)
    rows = positions[np.asarray(seg_rows, dtype=np.int64)] if seg_rows else np.array([], dtype=np.int64)
    codes = np.asarray(code_ids, dtype=np.int64)
    carried = [c for c in ("segment_id", "transcript", "participant", "role", "site", "start", "end", "text")
               if c in segments.columns]
    out = segments[carried].take(rows).reset_index(drop=True)
    out["code"] = np.asarray(matcher.code_names, dtype=object)[codes]
    out["theme"] = np.asarray(matcher.code_themes, dtype=object)[codes]
    out["matched"] = matched
    out["negated"] = np.asarray(negated, dtype=bool)
    out["negation_cue"] = cues
    out["flag_reason"] = reasons
    out["source"] = "suggestion"
    out["status"] = SUGGESTION_STATUS
    out["score"] = np.nan
    out["model_words"] = ""
    return out.reindex(columns=SUGGESTION_COLUMNS)


REVIEW_COLUMNS = ["suggestion_id", "decision", "status", "code", "theme", "matched", "negated", "negation_cue",
                  "flag_reason", "score", "model_words", "role",
                  "transcript", "segment_id", "start", "end", "text"]


def write_review_csv(suggestions: pd.DataFrame, path) -> pd.DataFrame:
    """Write suggestions for review: the analyst fills ``decision`` with accept or reject for each row.

    Negated suggestions are included (flagged in ``negated`` and ``negation_cue``) so the analyst sees them,
    and so are the learned model's ``score`` and ``model_words`` (empty for suggestions made without it).
    Returns the table written.
    """
    review = suggestions.assign(suggestion_id=[f"S{i:05d}" for i in range(1, len(suggestions) + 1)], decision="")
    review = review.reindex(columns=REVIEW_COLUMNS, fill_value="")
    write_csv(review, path, encoding="utf-8")
    return review
