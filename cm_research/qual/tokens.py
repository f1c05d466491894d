"""Words, stems, negation cues and stop words, shared by suggested coding, concordance and word counts.

Tokenising uses nltk's ``RegexpTokenizer`` and stemming nltk's Snowball (Porter2) English stemmer; neither
needs downloaded nltk data. A word is a run of letters or digits, with inner apostrophes kept
("didn't", "mentor's"); text is lower-cased and curly apostrophes are read as straight ones.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

WORD_PATTERN = r"[^\W_]+(?:['\u2019][^\W_]+)*"
#: Words plus the punctuation that ends a clause: a negation never reaches across these.
TOKEN_PATTERN = WORD_PATTERN + r"|[,;:.!?\u2026\u2014()]"
WORD_RE = re.compile(WORD_PATTERN)
TOKEN_RE = re.compile(TOKEN_PATTERN)
word_tokenizer = RegexpTokenizer(WORD_PATTERN)
clause_tokenizer = RegexpTokenizer(TOKEN_PATTERN)
CLAUSE_BREAKS = frozenset(",;:.!?\u2026\u2014()") | {
    "but", "although", "though", "however", "until", "now", "because", "cos", "cause", "when", "which", "while",
    "whereas", "if", "instead", "rather", "except"}
#: Verbs that carry a negation into the clause after "that" ("I don't think that she trusted me").
NEG_RAISING = frozenset({"think", "thought", "say", "saying", "said", "mean", "believe", "reckon", "suppose",
                         "feel", "felt", "expect", "expected"})
#: "never thought I would ...", "didn't expect to ...": a surprise, not a denial of what follows.
SURPRISE = frozenset({"thought", "expected", "imagined", "dreamed", "dreamt"})

#: Hedges and discourse markers: the word at the end is never evidence in these phrases ("to be honest" is not
#: trust, "she can be honest with me" is). Word -> the word sequences that, just before it, make it a hedge
#: (an empty tuple: always a hedge).
HEDGES: dict[str, tuple[tuple[str, ...], ...]] = {
    "honestly": ((),), "frankly": ((),), "truthfully": ((),), "basically": ((),),
    "honest": (("to", "be"), ("i'll", "be"), ("ill", "be"), ("i'm",), ("im",), ("being",), ("perfectly",),
               ("brutally",), ("totally",), ("completely",), ("let's", "be"), ("lets", "be")),
    "fair": (("to", "be"), ("being",)),
    "lie": (("not", "gonna"), ("not", "going", "to"), ("won't",)),
    "wrong": (("get", "me"),),
}
#: Discourse markers that open a clause: the word, first in its clause, followed by one of these word sequences
#: ("," stands for any clause break) is a hedge, not evidence: "Listen, ..." is not feeling heard, "Trust me,
#: ..." not trust, "Honest, ..." not honesty; "she would listen" and "trust me with anything" are untouched.
#: "safe to say" is a hedge wherever it stands.
HEDGE_OPENERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "listen": ((",",),), "look": ((",",),), "honest": ((",",),), "trust": (("me", ","),),
    "believe": (("me", ","),), "mind": (("you",),),
}
HEDGE_ANYWHERE: dict[str, tuple[tuple[str, ...], ...]] = {"safe": (("to", "say"),)}

#: "I don't want it to stop": a negated wish is about what is feared or hoped, not a denial of the topic.
WISH = frozenset({"want", "wanted", "wants", "wish", "wished"})

#: Irregular forms the Snowball stemmer does not bring together ("has" and "have", "felt" and "feel"). Kept in
#: the repository so nothing is downloaded; regular forms are left to the stemmer.
IRREGULAR = {
    "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do", "said": "say",
    "says": "say", "told": "tell", "felt": "feel", "made": "make", "went": "go", "gone": "go", "took": "take",
    "taken": "take", "spoke": "speak", "spoken": "speak", "thought": "think", "knew": "know", "known": "know",
    "came": "come", "saw": "see", "seen": "see", "drew": "draw", "drawn": "draw", "wrote": "write",
    "written": "write", "gave": "give", "given": "give", "got": "get", "gotten": "get", "kept": "keep",
    "brought": "bring", "met": "meet", "left": "leave", "sang": "sing", "sung": "sing", "began": "begin",
    "begun": "begin", "understood": "understand", "heard": "hear", "found": "find", "sat": "sit", "lost": "lose",
    "won": "win", "built": "build", "taught": "teach", "caught": "catch", "fought": "fight", "ran": "run",
    "chose": "choose", "chosen": "choose", "broke": "break", "broken": "break", "fell": "fall",
    "fallen": "fall", "stood": "stand", "spent": "spend", "sent": "send", "paid": "pay", "meant": "mean",
    "ate": "eat", "eaten": "eat", "wore": "wear", "worn": "wear", "shook": "shake", "grew": "grow",
    "grown": "grow", "threw": "throw", "thrown": "throw", "forgot": "forget", "forgotten": "forget",
    "hid": "hide", "hidden": "hide", "rang": "ring", "rung": "ring", "swam": "swim", "drove": "drive",
    "driven": "drive", "rode": "ride", "ridden": "ride", "flew": "fly", "slept": "sleep",
    "children": "child", "people": "person", "men": "man", "women": "woman",
}

#: Words that deny or resist what follows them without being negation cues themselves: between a negation cue and
#: a match they make a double negative or a litotes ("not afraid to speak up", "I don't mind doing my homework",
#: "I never stopped feeling proud", "I wasn't unwilling to trust her"), so they count as a second negation there.
#: Alone they are left alone ("I was scared to open up" is not flagged).
NEGATIVE_WORDS = frozenset({
    "afraid", "scared", "frightened", "ashamed", "embarrassed", "shy", "mind", "bad", "stop", "stopped", "stops",
    "stopping", "quit", "fail", "failed", "refuse", "refused", "hate", "hated", "reluctant", "hesitant",
    "unwilling", "uncomfortable", "unhappy", "unhelpful", "unusual", "unkind", "unsure", "unreliable",
    "unheard", "unlikely", "unable", "worried", "nervous", "wrong",
})
#: "wasn't until September that ...", "nobody listened until she came": a negation whose clause is ended by one of
#: these says when something began, not that it never did.
ONSET = frozenset({"until", "till", "til"})
#: The speaker's own person ("I was anxious", "my worry"): in an adult's words, a young person's feeling whose
#: nearest person before it in its clause is one of these is the adult's, not the young person's.
FIRST_PERSON = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "id", "i'll", "my", "myself"})
#: Other people named by a pronoun, and verbs that report what the speaker thinks or sees of others: after one of
#: these the feeling is someone else's again ("I think she's calmer", "I know Hattie was upset").
OTHER_PERSON = frozenset({
    "she", "he", "they", "her", "him", "his", "them", "their", "she's", "he's", "they're", "she'd", "he'd",
    "they'd", "she'll", "he'll", "they'll", "hers", "herself", "himself", "themselves", "you", "your",
    "you're", "we", "we're", "our", "us", "it", "it's", "anyone", "everyone", "nobody", "somebody", "someone",
    # what the speaker reports of someone else ("I think being listened to ...", "I know she was upset")
    "think", "thought", "know", "knew", "reckon", "suppose", "guess", "believe", "noticed", "notice", "saw",
    "see", "tell"})

#: Negation cues; any word ending in n't ("didn't", "wasn't", "can't") is one too.
NEGATORS = frozenset({
    "not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "without", "hardly", "barely",
    "cannot", "dont", "didnt", "wasnt", "cant", "couldnt", "wouldnt", "wont", "isnt", "arent", "havent",
    "hasnt", "hadnt", "shouldnt", "werent", "aint", "lack", "lacked", "lacking",
})

#: Common English function words, left out of word-frequency tables (not out of coding).
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just like me more most my myself no nor not now of
off on once only or other our ours ourselves out over own really same she should so some such than that the
their theirs them themselves then there these they this those through to too um uh under until up very was we
were what when where which while who whom why will with would yeah you your yours yourself yourselves mm erm
er oh ok okay got get gets getting go going went gone know think thing things bit lot lots kind sort yes also
didn't don't doesn't wasn't weren't isn't aren't can't couldn't wouldn't won't i'm i've i'd i'll you're
you've they're they've we're we've it's that's there's he's she's let's what's
""".split())

_stemmer = SnowballStemmer("english")
_stem_cache: dict[str, str] = {}


def normalise(text: str) -> str:
    """Lower-case, with curly apostrophes made straight (so "didn’t" is "didn't")."""
    return text.lower().replace("\u2019", "'")


def stem(word: str) -> str:
    """Snowball (Porter2) stem of a lower-cased word, cached: "confidence", "confident" -> "confid".

    Irregular forms are first brought to their base form from :data:`IRREGULAR` ("has" -> "have",
    "felt" -> "feel"), so "she has a say" matches the hint "have a say".
    """
    cached = _stem_cache.get(word)
    if cached is None:
        cached = _stem_cache[word] = _stemmer.stem(IRREGULAR.get(word, word))
    return cached


def is_hedge(word: str, before: list[str] | tuple[str, ...], after: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether ``word``, after the words ``before`` it and before the tokens ``after`` it (punctuation included),
    is part of a hedge or discourse marker ("to be honest", "if I'm honest", "honestly", "Listen, ...",
    "Trust me, ...", "safe to say")."""
    patterns = HEDGES.get(word)
    if patterns is not None and any(not p or tuple(before[-len(p):]) == p for p in patterns):
        return True
    after = tuple("," if t in CLAUSE_BREAKS else t for t in after)
    if any(after[:len(p)] == p for p in HEDGE_ANYWHERE.get(word, ())):
        return True
    openers = HEDGE_OPENERS.get(word)
    if openers is None or (before and before[-1] not in CLAUSE_BREAKS):
        return False
    return any(after[:len(p)] == p or (p[-1] == "," and after[:len(p) - 1] == p[:-1] and len(after) < len(p))
               for p in openers)


#: words that may be part of a hedge (:func:`is_hedge`)
HEDGE_WORDS = frozenset(HEDGES) | frozenset(HEDGE_OPENERS) | frozenset(HEDGE_ANYWHERE)


def is_negator(token: str) -> bool:
    """True for a negating word (``not``, ``never``, ``no``…) or any contraction ending in n't."""
    return token in NEGATORS or token.endswith("n't")


def words(text: str) -> list[str]:
    """The words of ``text``, normalised."""
    return word_tokenizer.tokenize(normalise(text))


def count_words(text: str) -> int:
    """The number of words in ``text``, counted as the coding benchmark counts them."""
    return len(WORD_RE.findall(text))


def stems_of(phrase: str) -> tuple[str, ...]:
    """The stems of a word or phrase, in order."""
    return tuple(stem(w) for w in words(phrase))


def token_ids(text: str, pattern: re.Pattern = WORD_RE) -> tuple[np.ndarray, list[str]]:
    """(ids, tokens): every match of ``pattern`` in ``text``, in order, as an index into ``tokens``, the distinct
    matches in the order they first occur. The same as ``pattern.findall(text)`` for a pattern that never
    matches white space, and faster on a long text: the text is split on white space (in C), the pieces are
    numbered with a hash table, and each distinct piece is searched once."""
    pieces = text.split()
    if not pieces:
        return np.zeros(0, dtype=np.int64), []
    piece_no, distinct = pd.factorize(np.asarray(pieces, dtype=object))
    vocab: dict[str, int] = {}
    lengths, flat = [], []
    for piece in distinct:
        found = pattern.findall(piece)
        lengths.append(len(found))
        flat.extend(vocab.setdefault(t, len(vocab)) for t in found)
    lengths = np.asarray(lengths, dtype=np.int64)
    flat = np.asarray(flat, dtype=np.int64)
    per_piece = lengths[piece_no]
    total = int(per_piece.sum())
    into = np.repeat((np.cumsum(lengths) - lengths)[piece_no] - (np.cumsum(per_piece) - per_piece), per_piece)
    ids, first = pd.factorize(flat[into + np.arange(total)])
    names = list(vocab)
    return ids.astype(np.int64, copy=False), [names[i] for i in first]


def negation_scope(is_cue: np.ndarray, is_break: np.ndarray) -> np.ndarray:
    """For a run of tokens, whether each is in the scope of a negation: a cue (``is_cue``) comes before it in
    the same clause, that is with no clause break (``is_break``: punctuation, "but", the end of a text...)
    between them; cues and breaks themselves are not in scope. The marking of Das & Chen (2001) and Pang, Lee &
    Vaithyanathan (2002), who prefix such words "NOT_" so that a model can learn that "never felt listened to"
    is evidence of another kind than "felt listened to"."""
    is_cue = np.asarray(is_cue, dtype=bool)
    is_break = np.asarray(is_break, dtype=bool)
    pos = np.arange(len(is_cue))
    last_cue = np.maximum.accumulate(np.where(is_cue, pos, -1)) if len(pos) else pos
    last_break = np.maximum.accumulate(np.where(is_break, pos, -1)) if len(pos) else pos
    return (last_cue > last_break) & ~is_cue & ~is_break
