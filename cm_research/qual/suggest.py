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
nltk's Snowball stemmer, and the corpus becomes one array of token ids. Tables built from the codebook say
which tokens carry a word hint's codes, which stems anchor a phrase (a phrase is anchored on its first word
that is not a common function word), which tokens are negation cues and clause breaks. numpy then finds the
positions of hint words, the start of each match's clause (the last clause break before it) and, from a
running count of negation cues, which matches have a cue in reach at all; a phrase is checked by comparing
stem ids at fixed offsets from its anchor's positions, within the same segment. Only a match whose clause is
not simple (two cues, or a "that") is read word by word in Python, so the cost grows with the number of
words, hardly with the size of the codebook. Regular-expression hints (rare) are searched in each segment's
original text, behind one combined pattern. With the learned model (below), the rules and the model read the
same token ids, so the text is split once.

Negation is scoped to the clause: the words before a match, up to ``negation_window`` of them, are read
back to the first clause break (, ; : . ! ? but although though however because when which if ...). "that"
ends the clause too, except after a verb that carries negation over it ("I don't think that ...") and in
"not that ...", which is itself a negation. A match is *negated* when its clause holds an odd number of
negation cues (not, no, never, nothing, nobody, without, any word ending in n't ...); an even number is a
double negation ("not that I didn't trust her", "I'm not saying I didn't"), which is not flagged, and "never
thought I would ..." is a surprise and "I don't want it to stop" a wish, not a denial. Hints listed under ``negation_expected`` are evidence when
negated ("he never once let me down"), and so is every hint of a code marked ``negation: evidence``, a code
whose absence is itself evidence about it ("we're not great at joined-up working"). Hedges and discourse markers ("to be honest", "honestly", "to be
fair") are never evidence, nor is a marker that opens its clause ("Listen, ...", "Trust me, ...", "Honest, ...").
A word that denies or resists what follows it ("afraid", "mind", "stopped", "unwilling":
:data:`cm_research.qual.tokens.NEGATIVE_WORDS`) between a cue and the match is a second negation (litotes and
double negatives: "not afraid to speak up", "never stopped feeling proud"); "not as if I didn't" cancels like
"not that I didn't"; a negated clause that ends in "until" says when something began ("nobody listened until she
came"), and is not flagged; a hint's word with the prefix un- ("unsafe", "unheard") matches it, negated once
more. Hints under ``by_role`` count only in that role's words (a social worker's
"worry" is not the young person's anxiety), and the hints of a code marked ``about: young_person`` do not count
an adult's own feeling: in a mentor's, carer's or professional's words, a match whose nearest person named before
it in its clause is the speaker ("I was nervous", "my worry") is left out, while "I think she's calmer" counts. A code's suggestion in a segment is negated only when all of its
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
from itertools import chain

import numpy as np
import pandas as pd

from cm_research.data.writing import write_csv
from cm_research.deprecation import renamed_arguments
from cm_research.qual.codebook import Codebook
from cm_research.qual.roles import role_name
from cm_research.qual.tokens import (CLAUSE_BREAKS, FIRST_PERSON, HEDGE_OPENERS, HEDGE_WORDS, HEDGES,
                                     HEDGE_ANYWHERE, NEG_RAISING, NEGATIVE_WORDS, ONSET, OTHER_PERSON, STOPWORDS,
                                     SURPRISE, TOKEN_RE, WISH, clause_tokenizer, is_hedge, is_negator,
                                     negation_scope, normalise, stem, stems_of)

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
#: the separator's token id and piece id (every matcher's vocabulary starts with it)
_SEP_ID = 0
#: a phrase match sorts after every word match at its anchor; among phrases, those the anchor ends come first
_PHRASE_RANK = 1 << 40
_NEXT_RANK = 1 << 20
_HEDGE_WORDS = max(len(p) for patterns in HEDGES.values() for p in patterns)
_HEDGE_AFTER = max(len(p) for table in (HEDGE_OPENERS, HEDGE_ANYWHERE) for patterns in table.values()
                   for p in patterns)


@dataclass
class Matches:
    """Every hint match in a list of texts, one entry per match, in the order of the texts' words (at one
    word: its word hints' codes in code order, then its phrases): the text's number, the matcher's code
    index, the words that matched, the negation cue ("" for none) and why it was or was not flagged."""

    text: np.ndarray
    code: np.ndarray
    words: np.ndarray
    cue: np.ndarray
    reason: np.ndarray
    #: whether the nearest person named before the match, in its clause, is the speaker ("I", "my")
    own: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.own is None:
            self.own = np.zeros(len(self.text), dtype=bool)

    def __len__(self) -> int:
        return len(self.text)

    def rows(self) -> list[tuple[int, int, str, str | None, str]]:
        """(text number, code, matched words, negation cue or None, reason) for each match."""
        return [(k, c, w, cue or None, r) for k, c, w, cue, r in
                zip(self.text.tolist(), self.code.tolist(), self.words, self.cue, self.reason)]


def _no_matches() -> Matches:
    empty = np.array([], dtype=object)
    return Matches(np.array([], dtype=np.int64), np.array([], dtype=np.int64), empty, empty.copy(), empty.copy())


def _concat(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _no_matches()
    if len(parts) == 1:
        return parts[0]
    return Matches(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("text", "code", "words", "cue", "reason", "own")))


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
    #: codebook code indices about the young person's own feelings (``hints.about: young_person``)
    young_person_codes: frozenset = frozenset()
    # the vocabulary, filled as texts are read: token id -> its text, stem id (-1: punctuation, separator),
    # whether it is a negation cue or a hedge word, its word hints' codes and whether each is evidence when negated
    _tok_id: dict[str, int] = field(default_factory=lambda: {_SEP: _SEP_ID}, repr=False)
    _tok_str: list[str] = field(default_factory=lambda: [_SEP], repr=False)
    _tok_stem: list[int] = field(default_factory=lambda: [-1], repr=False)
    _tok_neg: list[bool] = field(default_factory=lambda: [False], repr=False)
    _tok_hedge: list[bool] = field(default_factory=lambda: [False], repr=False)
    _tok_codes: list[tuple[int, ...]] = field(default_factory=lambda: [()], repr=False)
    #: token id -> its negating prefix ("un"), for a word that matches a hint only without it
    _tok_prefixed: dict[int, str] = field(default_factory=dict, repr=False)
    _tok_ok: list[tuple[bool, ...]] = field(default_factory=lambda: [()], repr=False)
    _stem_id: dict[str, int] = field(default_factory=dict, repr=False)
    # white-space separated piece ("confident," "didn't") -> id, and each piece's token ids
    _piece_id: dict[str, int] = field(default_factory=lambda: {_SEP: _SEP_ID}, repr=False)
    _piece_toks: list[tuple[int, ...]] = field(default_factory=lambda: [(_SEP_ID,)], repr=False)
    # anchor stem id -> [(stem ids, anchor position, code, evidence when negated, rank)], and the most words
    # its phrases have before the anchor
    _phrases: dict[int, list] = field(default_factory=dict, repr=False)
    _phrase_before: dict[int, int] = field(default_factory=dict, repr=False)
    _arrays: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for s, phrases in self.phrase_anchors.items():
            sid = self._sid(s)
            self._phrases[sid] = [(tuple(self._sid(x) for x in stems), a, c, ok,
                                   _PHRASE_RANK + (a + 1 < len(stems)) * _NEXT_RANK + n)
                                  for n, (stems, a, c, ok) in enumerate(phrases)]
            self._phrase_before[sid] = max(a for _, a, _, _ in phrases)

    def _sid(self, s: str) -> int:
        return self._stem_id.setdefault(s, len(self._stem_id))

    def _learn_token(self, w: str) -> int:
        i = len(self._tok_str)
        self._tok_id[w] = i
        self._tok_str.append(w)
        codes: tuple[int, ...] = ()
        sid = -1
        if not (len(w) == 1 and not w.isalnum()):  # punctuation has no stem
            s = stem(w)
            sid = self._sid(s)
            found = set(self.stem_codes.get(s, ()))
            for prefix, c in self.prefixes:
                if w.startswith(prefix):
                    found.add(c)
            negative = _negative_form(w)
            if not found and negative is not None and negative in self.stem_codes:
                # "unsafe", "unheard": the hint's word with its negating prefix, a negation of its own
                s = negative
                found = set(self.stem_codes[s])
                self._tok_prefixed[i] = w[:2]
            codes = tuple(sorted(found))
            self._tok_ok.append(tuple((s, c) in self.negation_ok or c in self.evidence_codes for c in codes))
        else:
            self._tok_ok.append(())
        self._tok_stem.append(sid)
        self._tok_neg.append(sid >= 0 and is_negator(w))
        self._tok_hedge.append(w in HEDGE_WORDS)
        self._tok_codes.append(codes)
        return i

    def _piece_ids(self, raw: list[str]) -> np.ndarray:
        """The ids of white-space separated pieces; each new piece is tokenised (and its new words learnt) once."""
        ids, tok_id = self._piece_id, self._tok_id
        for piece in set(raw) - ids.keys():
            toks = tuple(tok_id[t] if t in tok_id else self._learn_token(t) for t in clause_tokenizer.tokenize(piece))
            ids[piece] = len(self._piece_toks)
            self._piece_toks.append(toks)
        return np.fromiter(map(ids.__getitem__, raw), dtype=np.int64, count=len(raw))

    def _numpy(self) -> dict:
        """The vocabulary as arrays (rebuilt when it has grown)."""
        a = self._arrays
        if a.get("tokens") != len(self._tok_str):
            codes = self._tok_codes
            c_len = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
            stems = np.asarray(self._tok_stem, dtype=np.int64)
            hedge = np.asarray(self._tok_hedge, dtype=bool)
            has_phrase = np.isin(stems, np.fromiter(self._phrases, dtype=np.int64, count=len(self._phrases)))
            a.update(tokens=len(codes), c_len=c_len, c_ptr=np.cumsum(c_len) - c_len,
                     c_flat=np.fromiter(chain.from_iterable(codes), dtype=np.int64, count=int(c_len.sum())),
                     c_ok=np.fromiter(chain.from_iterable(self._tok_ok), dtype=bool, count=int(c_len.sum())),
                     stem=stems, neg=np.asarray(self._tok_neg, dtype=bool), hedge=hedge, has_phrase=has_phrase,
                     brk=np.fromiter((t in CLAUSE_BREAKS or t == _SEP for t in self._tok_str), dtype=bool,
                                     count=len(codes)),
                     surprise_or_wish=np.fromiter((t in SURPRISE or t in WISH for t in self._tok_str), dtype=bool,
                                                  count=len(codes)),
                     negword=np.fromiter((t in NEGATIVE_WORDS for t in self._tok_str), dtype=bool, count=len(codes)),
                     onset=np.fromiter((t in ONSET for t in self._tok_str), dtype=bool, count=len(codes)),
                     person=np.fromiter((1 if t in FIRST_PERSON else 2 if t in OTHER_PERSON else 0
                                         for t in self._tok_str), dtype=np.int8, count=len(codes)),
                     hit=(c_len > 0) | hedge | has_phrase, text=np.asarray(self._tok_str, dtype=object))
        if a.get("pieces") != len(self._piece_toks):
            toks = self._piece_toks
            p_len = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
            a.update(pieces=len(toks), p_len=p_len, p_ptr=np.cumsum(p_len) - p_len,
                     p_flat=np.fromiter(chain.from_iterable(toks), dtype=np.int64, count=int(p_len.sum())))
        return a

    def _negation(self, tokens: list[str], i: int) -> tuple[str | None, str]:
        """(negation cue or None, reason) for the match at position ``i``: the negation cues in its clause,
        read back over at most ``negation_window`` tokens (module docstring)."""
        found: list[str] = []
        between = 0  # words such as "afraid", "mind", "stopped" met before the farthest cue so far
        pending = 0
        j, lo = i - 1, max(-1, i - 1 - self.negation_window)
        while j > lo:
            t = tokens[j]
            if t == "if" and j > 1 and tokens[j - 1] == "as" and is_negator(tokens[j - 2]):  # "not as if I didn't"
                found.append(f"{tokens[j - 2]} as if")
                between += pending
                pending = 0
                j -= 3
                continue
            if t in NEGATIVE_WORDS:
                pending += 1
            if t == "that":
                previous = tokens[j - 1] if j > 0 else ""
                if is_negator(previous):  # "not that I didn't ..."
                    found.append(f"{previous} that")
                    j -= 2
                    continue
                if previous not in NEG_RAISING:
                    break
            elif t in CLAUSE_BREAKS or t == _SEP:
                break
            elif is_negator(t):
                following = tokens[j + 1] if j + 1 < len(tokens) else ""
                if following in SURPRISE:
                    return None, f"not flagged: '{t} {following}' reports a surprise, not a denial"
                if following in WISH:
                    return None, f"not flagged: '{t} {following}' is a wish or a fear, not a denial"
                found.append(t)
                between += pending
                pending = 0
            j -= 1
        if not found:
            return None, NO_NEGATION
        if (len(found) + between) % 2 == 0:
            if between:
                return None, (f"not flagged: '{found[-1]}' is cancelled by a negative word after it in the same "
                              "clause (a double negative or litotes: 'not afraid to', 'never stopped')")
            return None, f"not flagged: double negation ('{' ... '.join(reversed(found))}')"
        return found[0], f"flagged: negated by '{found[0]}' in the same clause"

    def _flag(self, before: list[str], words: str, negation_ok: bool) -> tuple[str | None, str]:
        cue, reason = self._negation(before, len(before))
        if cue is not None and negation_ok:
            return None, f"not flagged: '{words}' is evidence even when negated ('{cue}')"
        return cue, reason

    def _match_regex(self, text: str) -> list[tuple[int, str, str | None, str]]:
        out = []
        if self.any_regex is not None and self.any_regex.search(text):
            for c, rx in self.regexes:
                m = rx.search(text)
                if m:
                    before = TOKEN_RE.findall(normalise(text[:m.start()]))
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
        """(text number + ``offset``, code, matched words, negation cue, reason) for every match in ``texts``
        (:meth:`match_table` as a list)."""
        return self.match_table(texts, chunk, offset).rows()

    def match_table(self, texts: list[str], chunk: int = 8192, offset: int = 0,
                    pieces: np.ndarray | None = None) -> Matches:
        """Every match in ``texts``, numbered from ``offset``, as arrays.

        The texts are lower-cased and joined in chunks with a separator and split on white space (in C); each
        distinct piece ("confident," "didn't") is tokenised, and its words stemmed, once per matcher. The
        corpus becomes one array of token ids, and the positions of hint words are found with numpy. A
        match's clause is the tokens before it back to ``negation_window`` words (or the start of its text);
        only a match with a negation cue there (counted from a running sum) is read word by word
        (:meth:`_negation`), and a phrase is checked by comparing stem ids at fixed offsets from each of its
        anchor's positions. The words read back for negation and hedges are those the earlier matcher read:
        whole white-space pieces back to the window, so that the results do not depend on how it is done.
        ``pieces``: the texts' :meth:`pieces`, when already found.
        """
        if not len(texts):
            return _no_matches()
        found = self._match_tokens(self.pieces(texts, chunk) if pieces is None else pieces, offset)
        if self.any_regex is not None:
            regex_rows = []
            for k, text in enumerate(texts):
                for c, words, cue, reason in self._match_regex(text.replace(_SEP, " ") if _SEP in text else text):
                    regex_rows.append((offset + k, c, words, cue or "", reason))
            if regex_rows:
                k, c, words, cue, reason = zip(*regex_rows)
                found = _concat([found, Matches(np.asarray(k, dtype=np.int64), np.asarray(c, dtype=np.int64),
                                                np.asarray(words, dtype=object), np.asarray(cue, dtype=object),
                                                np.asarray(reason, dtype=object))])
        return found

    def pieces(self, texts: list[str], chunk: int = 8192) -> np.ndarray:
        """The ids of the texts' white-space separated pieces, lower-cased, the texts separated by the
        separator's piece (:meth:`match_table` reads them; so can :meth:`word_ids` and :func:`_select_texts`)."""
        chunks = []
        sep_piece = np.array([_SEP_ID], dtype=np.int64)
        for first in range(0, len(texts), chunk):
            part = texts[first:first + chunk]
            joined = _JOIN.join(part)
            if joined.count(_SEP) != len(part) - 1:  # a text holding the separator itself: blank it out
                joined = _JOIN.join([t.replace(_SEP, " ") for t in part])
            if first:
                chunks.append(sep_piece)
            chunks.append(self._piece_ids(normalise(joined).split()))
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)

    def _flatten(self, pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(token ids, where each piece's tokens start) of the pieces ``pid``."""
        a = self._numpy()
        lens = a["p_len"][pid]
        pstart = np.cumsum(lens) - lens
        n = int(lens.sum())
        return a["p_flat"][np.repeat(a["p_ptr"][pid] - pstart, lens) + np.arange(n)], pstart

    def word_ids(self, pid: np.ndarray, separator: str) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(ids, words, in_scope): the words of the pieces ``pid`` and the separators between their texts
        (punctuation left out), as indices into ``words``, the distinct words in the order they first occur, the
        separator named ``separator``, and whether each is in a negation's scope
        (:func:`cm_research.qual.tokens.negation_scope`, read with the punctuation): the same as
        :func:`cm_research.qual.learned.clause_words` on the texts joined by it."""
        flat, _ = self._flatten(pid)
        a = self._numpy()
        scope = negation_scope(a["neg"][flat], a["brk"][flat])
        keep = (a["stem"][flat] >= 0) | (flat == _SEP_ID)
        ids, first = pd.factorize(flat[keep])
        names = a["text"][first].tolist()
        return ids.astype(np.int64, copy=False), [separator if w == _SEP else w for w in names], scope[keep]

    def _match_tokens(self, pid: np.ndarray, offset: int) -> Matches:
        """The matches in the pieces ``pid`` (texts separated by the separator piece)."""
        a = self._numpy()
        flat, pstart = self._flatten(pid)  # token ids, and where each piece's tokens start
        n = len(flat)
        is_sep = flat == _SEP_ID
        textno = np.cumsum(is_sep)  # a separator counts with the text after it
        bounds = np.concatenate(([0], np.flatnonzero(is_sep)))  # where each text's words may be read back to
        cneg = np.concatenate(([0], np.cumsum(a["neg"][flat])))
        negword_at = np.flatnonzero(a["negword"][flat])  # "afraid", "mind", "stopped": where they are
        brk = a["brk"][flat]
        as_if = np.flatnonzero(flat[2:] == self._tok_id.get("if", -1)) + 2
        if len(as_if):  # "not as if ...": the "if" does not end the negation's clause (read in _negation)
            as_if = as_if[(flat[as_if - 1] == self._tok_id.get("as", -1)) & a["neg"][flat[as_if - 2]]]
            brk = brk.copy()
            brk[as_if] = False
        # the last clause break ("that" aside) at or before each position: no cue before it is read
        last_break = np.maximum.accumulate(np.where(brk, np.arange(n), -1)) if n else flat
        tok_str = self._tok_str
        window = self.negation_window

        def starts(pos: np.ndarray, need: int) -> np.ndarray:
            """Where the words read back from ``pos`` start: whole pieces back to ``need`` tokens, not before
            the text."""
            k = np.searchsorted(pstart, pos - need, side="right") - 1
            return np.maximum(np.where(k >= 0, pstart[np.maximum(k, 0)], 0), bounds[textno[pos]])

        neg_flat = a["neg"][flat]
        last_neg = np.maximum.accumulate(np.where(neg_flat, np.arange(n), -1)) if n else flat
        cthat = np.concatenate(([0], np.cumsum(flat == self._tok_id.get("that", -1))))
        flagged_by: dict[int, str] = {}

        def negation(p0: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """(cue, reason) for matches starting at ``p0`` whose words are read back to ``start``
            (:meth:`_negation`); the common cases (no cue in the clause, one cue and no "that") in numpy."""
            cue = np.full(len(p0), "", dtype=object)
            reason = np.full(len(p0), NO_NEGATION, dtype=object)
            if not len(p0):
                return cue, reason
            lb = last_break[np.maximum(p0 - 1, 0)] + 1  # the clause starts after its last break
            lo = np.maximum(start, p0 - window - 1)  # "not that": the word before the window's first
            reach = np.minimum(np.maximum(lo, lb), p0)
            read = np.minimum(np.maximum(np.maximum(start, p0 - window), lb), p0)  # the words read back
            cues = cneg[p0] - cneg[read]
            plain = (cthat[p0] == cthat[read]) & (cneg[p0] - cneg[reach] == cues)
            j = last_neg[np.maximum(p0 - 1, 0)]
            after = np.minimum(j + 1, max(n - 1, 0))
            one = plain & (cues == 1) & ~((j + 1 < p0) & a["surprise_or_wish"][flat[after]]) & (np.searchsorted(negword_at, p0) == np.searchsorted(negword_at, j + 1))
            for i in np.flatnonzero(one).tolist():
                t = int(flat[j[i]])
                cue[i] = tok_str[t]
                if t not in flagged_by:
                    flagged_by[t] = f"flagged: negated by '{tok_str[t]}' in the same clause"
                reason[i] = flagged_by[t]
            for i in np.flatnonzero((cneg[p0] - cneg[reach] > 0) & ~one & ~(plain & (cues == 0))).tolist():
                before = [tok_str[t] for t in flat[lo[i]:p0[i]].tolist()]
                c, reason[i] = self._negation(before, len(before))
                cue[i] = c or ""
            return cue, reason

        hpos = np.flatnonzero(a["hit"][flat])
        htok = flat[hpos]
        parts_pos, parts_rank, parts_code, parts_words, parts_cue, parts_reason, parts_ok = [], [], [], [], [], [], []
        parts_first = []  # where each match's first word is

        # word hints
        has_codes = a["c_len"][htok] > 0
        hedges = np.flatnonzero(a["hedge"][htok])
        for i, pos, start in zip(hedges.tolist(), hpos[hedges].tolist(), starts(hpos[hedges], window).tolist()):
            before = [tok_str[t] for t in flat[max(start, pos - _HEDGE_WORDS):pos].tolist()]
            if _SEP in before:  # the text starts after the separator
                before = before[len(before) - before[::-1].index(_SEP):]
            after = []
            for t in flat[pos + 1:pos + 1 + _HEDGE_AFTER].tolist():
                if t == _SEP_ID:
                    break
                after.append(tok_str[t])
            if is_hedge(tok_str[htok[i]], before, after):
                has_codes[i] = False  # "to be honest", "honestly": never evidence
        wpos, wtok = hpos[has_codes], htok[has_codes]
        cl = a["c_len"][wtok]
        total = int(cl.sum())
        within = np.arange(total) - np.repeat(np.cumsum(cl) - cl, cl)
        at = np.repeat(a["c_ptr"][wtok], cl) + within
        cue, reason = negation(wpos, starts(wpos, window))
        parts_pos.append(np.repeat(wpos, cl))
        parts_first.append(parts_pos[-1])
        parts_rank.append(within)
        parts_code.append(a["c_flat"][at])
        parts_ok.append(a["c_ok"][at])
        parts_words.append(a["text"][np.repeat(wtok, cl)])
        parts_cue.append(np.repeat(cue, cl))
        parts_reason.append(np.repeat(reason, cl))

        # phrases, by their anchor's stem
        anchors = hpos[a["has_phrase"][htok]]
        if len(anchors):
            stem_flat = a["stem"][flat]
            anchor_stem = stem_flat[anchors]
            order = np.argsort(anchor_stem, kind="stable")
            anchors, anchor_stem = anchors[order], anchor_stem[order]
            cuts = np.flatnonzero(np.diff(anchor_stem)) + 1
            ph_pos, ph_rank, ph_code, ph_ok, ph_a, ph_len, ph_need = [], [], [], [], [], [], []
            for group in np.split(np.arange(len(anchors)), cuts):
                sid = int(anchor_stem[group[0]])
                where = anchors[group]
                need = window + self._phrase_before[sid]
                for stems, pa, c, ok, rank in self._phrases[sid]:
                    keep = np.ones(len(where), dtype=bool)
                    for k, s in enumerate(stems):
                        if k == pa:
                            continue
                        q = where + (k - pa)
                        keep &= (q >= 0) & (q < n)
                        keep[keep] = stem_flat[q[keep]] == s
                        if not keep.any():
                            break
                    if keep.any():
                        hit = where[keep]
                        ph_pos.append(hit)
                        m = len(hit)
                        ph_rank.append(np.full(m, rank, dtype=np.int64))
                        ph_code.append(np.full(m, c, dtype=np.int64))
                        ph_ok.append(np.full(m, ok, dtype=bool))
                        ph_a.append(np.full(m, pa, dtype=np.int64))
                        ph_len.append(np.full(m, len(stems), dtype=np.int64))
                        ph_need.append(np.full(m, need, dtype=np.int64))
            if ph_pos:
                pos = np.concatenate(ph_pos)
                pa = np.concatenate(ph_a)
                length = np.concatenate(ph_len)
                need = np.concatenate(ph_need)
                cue, reason = negation(pos - pa, starts(pos, need))
                first = pos - pa
                words = np.empty(len(pos), dtype=object)
                for m in np.unique(length).tolist():  # the phrase's words, joined as object arrays
                    sel = np.flatnonzero(length == m)
                    joined = a["text"][flat[first[sel]]]
                    for j in range(1, m):
                        joined = joined + " " + a["text"][flat[first[sel] + j]]
                    words[sel] = joined
                parts_pos.append(pos)
                parts_first.append(first)
                parts_rank.append(np.concatenate(ph_rank))
                parts_code.append(np.concatenate(ph_code))
                parts_ok.append(np.concatenate(ph_ok))
                parts_words.append(words)
                parts_cue.append(cue)
                parts_reason.append(reason)

        pos = np.concatenate(parts_pos)
        order = np.lexsort((np.concatenate(parts_rank), pos))
        pos = pos[order]
        words = np.concatenate(parts_words)[order]
        cue = np.concatenate(parts_cue)[order]
        reason = np.concatenate(parts_reason)[order]
        first = np.concatenate(parts_first)[order]
        flagged = np.flatnonzero(cue != "")
        if len(flagged):  # "nobody listened until she came": the clause ends in "until", so it says when
            ends = np.append(np.flatnonzero(brk | a["onset"][flat]), n)  # n: the end of the last text
            nb = ends[np.searchsorted(ends, pos[flagged])]  # the next break or "until" at or after the match
            onset = nb < n
            onset[onset] = a["onset"][flat[nb[onset]]]
            for i, k in zip(flagged[onset].tolist(), nb[onset].tolist()):
                reason[i] = (f"not flagged: '{cue[i]} ... {tok_str[int(flat[k])]}' says when it began, not that it "
                             "never did")
                cue[i] = ""
        if self._tok_prefixed:  # "unsafe": the prefix negates its own word, once more
            prefixed = self._tok_prefixed
            for i in np.flatnonzero(np.isin(flat[first], np.fromiter(prefixed, dtype=np.int64))
                                    & (pos == first)).tolist():
                w = tok_str[int(flat[pos[i]])]
                if cue[i]:
                    reason[i] = f"not flagged: double negation ('{cue[i]} ... {w}')"
                    cue[i] = ""
                elif reason[i] == NO_NEGATION:
                    cue[i] = f"{prefixed[int(flat[pos[i]])]}-"
                    reason[i] = f"flagged: negated by the prefix of '{w}'"
        flip = np.flatnonzero(np.concatenate(parts_ok)[order] & (cue != ""))
        for i in flip.tolist():  # a hint that is evidence even when negated
            reason[i] = f"not flagged: '{words[i]}' is evidence even when negated ('{cue[i]}')"
            cue[i] = ""
        # whose feeling: the nearest person named before the match in its clause ("I was anxious": the speaker's)
        person = a["person"][flat]

        def last_at(where: np.ndarray, at: np.ndarray) -> np.ndarray:
            """The last of the positions ``where`` at or before each of ``at`` (-1 for none)."""
            k = np.searchsorted(where, at, side="right") - 1
            return np.where(k >= 0, where[np.maximum(k, 0)] if len(where) else -1, -1)

        before = np.maximum(first - 1, 0)
        last_first = last_at(np.flatnonzero(person == 1), before)
        own = (first > 0) & (last_first > np.maximum(last_at(np.flatnonzero(person == 2), before),
                                                      last_break[before]))
        return Matches(textno[pos] + offset, np.concatenate(parts_code)[order], words, cue, reason, own)


def _negative_form(word: str) -> str | None:
    """The stem of ``word`` without a negating prefix ("unsafe" -> "safe", "unheard" -> "heard"), or None when it
    has none (only "un" followed by five letters or more is read so: "until", "under", "unit" are left alone)."""
    if word.startswith("un") and len(word) >= 7 and word[2:].isalpha():
        return stem(word[2:])
    return None


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
        young_person_codes=frozenset(index[c.name] for c in codebook.codes if c.hints.about == "young_person"),
    )


def _select_texts(pid: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The pieces (:meth:`Matcher.pieces`) of the texts where ``keep`` is True, as if only those had been read."""
    is_sep = pid == _SEP_ID
    out = pid[keep[np.cumsum(is_sep)]]  # each text after the first with the separator before it
    return out[1:] if len(out) and not keep[0] else out


def _answers(segments: pd.DataFrame, texts: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(rows, turn, questions): the participant sentences (rows of ``segments``) of each turn that directly
    answers an interviewer's turn ("Did you trust her?" - "Yeah, eventually. It took ages though."), the
    number of that answer in ``questions``, and each answer's question, the interviewer's whole turn."""
    need = {"is_interviewer", "transcript", "turn", "text"}
    none = np.array([], dtype=np.int64)
    if not need <= set(segments.columns) or segments.empty:
        return none, none, []
    interviewer = segments["is_interviewer"].to_numpy(dtype=bool)
    transcript = pd.factorize(segments["transcript"])[0]  # a missing name (-1) equals no other, as NaN != NaN
    turn = segments["turn"].to_numpy()
    n = len(interviewer)

    def same(i, j):
        return (transcript[i] == transcript[j]) & (transcript[i] >= 0)

    # a new turn starts where the speaker kind, the turn number or the transcript changes
    new = np.ones(n, dtype=bool)
    new[1:] = (interviewer[1:] != interviewer[:-1]) | (turn[1:] != turn[:-1]) | ~same(slice(1, None), slice(None, -1))
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)
    a, q0 = starts[1:], starts[:-1]
    answer = ~interviewer[a] & interviewer[q0] & same(q0, a)
    a, b, q0, q1 = a[answer], ends[1:][answer], q0[answer], ends[:-1][answer]
    if not len(a):
        return none, none, []
    texts = segments["text"].tolist() if texts is None else texts
    questions = [" ".join(texts[i:j]) for i, j in zip(q0.tolist(), q1.tolist())]
    sizes = b - a
    rows = np.repeat(a - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
    return rows, np.repeat(np.arange(len(a)), sizes), questions


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
    if isinstance(model, str):
        if model != "auto":
            raise ValueError(f"model must be 'auto', None or a CoderModel, not {model!r}")
        from cm_research.qual.learned import shipped_model

        model = shipped_model()
    names = codebook.code_names
    if (model is None or not set(model.codes) & set(names) or "segment_id" not in segments.columns
            or not segments["segment_id"].is_unique):  # the model's rows are found by segment_id
        return _suggest_by_rules(segments, codebook, negation_window, include_interviewer, question_context)
    from cm_research.qual.learned import _SEP as MODEL_SEP, combine, featurise

    # the texts are read once, for the rules and the model
    matcher = codebook if isinstance(codebook, Matcher) else compile_codebook(codebook, negation_window)
    texts = segments["text"].tolist()
    pieces = matcher.pieces(texts)
    rules = _suggest_by_rules(segments, matcher, negation_window, include_interviewer, question_context, pieces,
                              texts)
    # every code of the rules' suggestions is among these, with the same theme
    themes = dict(zip(matcher.code_names, matcher.code_themes))
    raw = featurise(segments, model.protos, model.stems, rules=rules if model.uses_rules else None,
                    codes=model.codes, tokens=matcher.word_ids(pieces, MODEL_SEP), pc=model.pc)
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
                      include_interviewer: bool, question_context: bool,
                      pieces: np.ndarray | None = None, texts: list[str] | None = None) -> pd.DataFrame:
    """:func:`suggest_codes` by the codebook's hints alone (the model's columns empty); ``pieces``: every
    segment's :meth:`Matcher.pieces`, and ``texts`` its text as a list, when already found."""
    matcher = codebook if isinstance(codebook, Matcher) else compile_codebook(codebook, negation_window)
    if "text" not in segments.columns:
        raise KeyError("segments need a 'text' column (see cm_research.qual.segments.segment_transcripts)")
    texts = segments["text"].tolist() if texts is None else texts
    if not include_interviewer and "is_interviewer" in segments.columns:
        keep = ~segments["is_interviewer"].to_numpy(dtype=bool)
    else:
        keep = np.ones(len(texts), dtype=bool)
    positions = np.flatnonzero(keep)
    kept = [texts[p] for p in positions]
    code_of, code_roles = matcher.code_of, matcher.code_roles
    found = matcher.match_table(kept, pieces=None if pieces is None else _select_texts(pieces, keep))
    # 0: any speaker; 1: only in an interviewer's question; 2: only from one role
    n_codes = max(len(code_roles), int(found.code.max()) + 1 if len(found) else 0)
    kind = np.zeros(n_codes, dtype=np.int8)
    kind[:len(code_roles)] = [0 if r is None else 1 if r == QUESTION else 2 for r in code_roles]
    counted = kind[found.code] != 1
    # segments with a match of their own, even one negated or for another role
    touched = set(np.unique(found.text[counted]).tolist())
    seg_k, seg_c, words, cues, reasons = found.text, found.code.copy(), found.words, found.cue, found.reason
    restricted = np.flatnonzero(kind[seg_c] == 2).tolist()
    own = found.own & np.isin(np.asarray(code_of, dtype=np.int64)[seg_c] if len(seg_c) else seg_c,
                              np.fromiter(matcher.young_person_codes, dtype=np.int64))
    roles = segments["role"].to_numpy(dtype=object) if (restricted or own.any()) and "role" in segments.columns \
        else None
    if roles is not None and own.any():
        adult = np.asarray([r not in (None, "mentee") and isinstance(r, str) for r in roles[positions]], dtype=bool)
        # an adult's own feeling ("I was anxious", "my worry") is not the young person's
        counted &= ~(own & adult[seg_k])
    for i in restricted:
        c = int(seg_c[i])
        role = code_roles[c]
        if roles is None or roles[positions[seg_k[i]]] != role:
            counted[i] = False  # a hint that counts only in another role's words
            continue
        reasons[i] = "; ".join(filter(None, [reasons[i], f"'{words[i]}' counts only from a {role_name(role)}"]))
        seg_c[i] = code_of[c]
    parts = [(seg_k[counted], seg_c[counted], words[counted], cues[counted], reasons[counted])]
    if question_context and not include_interviewer:
        rows_a, turn_a, questions = _answers(segments, texts)
        if len(rows_a):
            k_of = np.full(len(texts), -1, dtype=np.int64)
            k_of[positions] = np.arange(len(positions))
            k_a = k_of[rows_a]
            # a sentence with a match of its own (even one negated or for another role) keeps to its own words
            open_ = (k_a >= 0) & ~np.isin(k_a, np.fromiter(touched, dtype=np.int64, count=len(touched)))
            k_a, turn_a = k_a[open_], turn_a[open_]
            # the distinct questions these sentences answer, numbered
            q_id, q_text = pd.factorize(np.asarray(questions, dtype=object))
            needed = np.unique(q_id[turn_a])
            q_of_id = np.full(len(q_text), -1, dtype=np.int64)
            q_of_id[needed] = np.arange(len(needed))
            q_list = np.asarray(q_text, dtype=object)[needed].tolist()
            q_codes: dict[int, dict[int, list[str]]] = {}
            asked = {code_of[v] for v, role in enumerate(code_roles) if role == QUESTION}
            for n, c, words_q, _cue, _reason in matcher.match_many(q_list):
                role = code_roles[c] if c < len(code_roles) else None
                if role is not None and role != QUESTION:
                    continue  # role-restricted hints are about the speaker, not the question
                if role is None and c in asked:
                    continue  # this code lists the words that carry it in a question: only those count there
                got = q_codes.setdefault(n, {}).setdefault(code_of[c] if role else c, [])
                if words_q not in got:
                    got.append(words_q)
            # each question's codes, flattened; each answering sentence takes all of its question's
            from_question = [(n, c, "; ".join(got)) for n in sorted(q_codes) for c, got in q_codes[n].items()]
            if from_question:
                q_of = np.asarray([n for n, _, _ in from_question], dtype=np.int64)
                q_code = np.asarray([c for _, c, _ in from_question], dtype=np.int64)
                q_words = np.asarray([w for _, _, w in from_question], dtype=object)
                q_reason = np.asarray([f"from the interviewer's question ('{w}'): the sentence answers it and "
                                       "matches no hint itself" for _, _, w in from_question], dtype=object)
                per_question = np.bincount(q_of, minlength=len(q_list))
                q_first = np.cumsum(per_question) - per_question
                n_a = q_of_id[q_id[turn_a]]
                sizes = per_question[n_a]
                at = np.repeat(q_first[n_a] - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
                parts.append((np.repeat(k_a, sizes), q_code[at], q_words[at], np.full(len(at), "", dtype=object),
                              q_reason[at]))
    seg_k, seg_c, words, cues, reasons = (np.concatenate(column) for column in zip(*parts))
    # one suggestion per (segment, code): segments in order, codes in the order first matched
    key = seg_k * (n_codes + 1) + seg_c
    order = np.argsort(key, kind="stable")
    new = np.ones(len(order), dtype=bool)
    new[1:] = key[order][1:] != key[order][:-1]
    group_start = np.flatnonzero(new)
    group_size = np.diff(np.append(group_start, len(order)))
    first = order[group_start]
    by_segment = np.lexsort((first, seg_k[first]))
    first, group_start, group_size = first[by_segment], group_start[by_segment], group_size[by_segment]
    matched = words[first]
    cue = cues[first]
    reason = reasons[first]
    multi = np.flatnonzero(group_size > 1).tolist()
    if multi:
        order_l, words_l, cues_l, reasons_l = order.tolist(), words.tolist(), cues.tolist(), reasons.tolist()
        for g in multi:
            members = order_l[group_start[g]:group_start[g] + group_size[g]]  # in the order they were found
            matched[g] = "; ".join(dict.fromkeys([words_l[i] for i in members]))
            m_cues = [cues_l[i] for i in members]
            if all(m_cues):
                cue[g] = next(c for c in m_cues if c)
                reason[g] = reasons_l[members[0]]
            else:
                cue[g] = ""
                reason[g] = "; ".join(dict.fromkeys(reasons_l[i] for i in members
                                                    if not cues_l[i] and reasons_l[i])) or NO_NEGATION
    rows = positions[seg_k[first]] if len(first) else np.array([], dtype=np.int64)
    codes = seg_c[first]
    negated = cue != ""
    carried = [c for c in ("segment_id", "transcript", "participant", "role", "site", "start", "end", "text")
               if c in segments.columns]
    out = segments[carried].take(rows).reset_index(drop=True)
    out["code"] = np.asarray(matcher.code_names, dtype=object)[codes]
    out["theme"] = np.asarray(matcher.code_themes, dtype=object)[codes]
    out["matched"] = matched
    out["negated"] = np.asarray(negated, dtype=bool)
    out["negation_cue"] = cue
    out["flag_reason"] = reason
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
