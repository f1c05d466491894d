"""Benchmark suggested coding: our coder against a naive per-segment, per-code, per-hint ``re.search``.

Generates (with a seed) a corpus of at least 1,000,000 words in sentence segments and a 100-code codebook
whose hints are invented words and two-word phrases, then times, in the same run:

* ours: :func:`cm_research.qual.suggest.suggest_codes`: segments are joined in chunks and split on white
  space in C; each distinct piece is tokenised and stemmed once; the corpus becomes one array of token ids in
  which numpy finds hint words, phrases (stem ids at fixed offsets) and the negation cues in each match's
  clause; only a clause with two cues or a "that" is read word by word in Python;
* naive: for each segment, for each code, for each hint, ``pattern.search(text)`` with the hint's pattern
  compiled beforehand (``\\bword\\w*`` for a word, ``\\bw1\\w*\\s+w2\\w*`` for a phrase, case-insensitive).
  Precompiling is kindness to the baseline: with 700 hints, ``re.search(string, ...)`` would overflow the
  ``re`` module's cache of 512 patterns and recompile on almost every call.

Prints words per second (wall-clock and CPU) for both, the ratio, and how often the two agree about which
(segment, code) pairs match (they differ where stemming and the naive prefix pattern disagree, e.g. ``-ies`` endings).

Ours is timed best of three, in one process; the naive coder once, on the first ``--naive-words`` words (its
rate does not depend on the corpus size, and the whole million takes minutes).

With ``--interviews``, the corpus is instead the hand-written gold interviews (``tests/qual/gold``,
synthetic) repeated to at least ``--words`` words, coded with the starter codebook, interviewer turns and all:
real interview talk holds far more hint words than the invented corpus (about a quarter of its words start a
lookup), and the answers take the codes of their questions. Only our coder is timed, twice: the default
(hybrid: hint rules and the learned model) and the rules alone (``model=None``), each in words per CPU-second
(CPU time, which other work on a shared machine disturbs less than wall-clock time).

Usage: ``python benchmarks/bench_coding.py [--words 1000000] [--codes 100] [--seed 7] [--naive-words N]
[--interviews]``
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

import numpy as np
import pandas as pd

from cm_research.qual.codebook import Codebook, parse_codebook
from cm_research.qual.suggest import compile_codebook, suggest_codes

ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl", "r",
          "s", "sh", "sl", "st", "t", "tr", "v", "w", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "oo", "ou"]
CODAS = ["", "b", "ck", "d", "g", "l", "m", "n", "nd", "p", "r", "rt", "s", "sk", "st", "t", "x"]
FUNCTION_WORDS = ("the and i a to it was of that in we my she he you me but so they with for on at just "
                  "like really then when not didn't don't wasn't no never because about what there").split()
INFLECTIONS = ["", "", "", "s", "ed", "ing"]


def _pseudo_words(rng: np.random.Generator, n: int, syllables: tuple[int, int]) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(syllables[0], syllables[1] + 1))
        out.add("".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(k)))
    return sorted(out)


def make_codebook(n_codes: int = 100, words_per_code: int = 5, phrases_per_code: int = 2, seed: int = 7) -> Codebook:
    """A synthetic codebook of ``n_codes`` codes in 10 themes, hints made of invented words."""
    rng = np.random.default_rng(seed)
    vocab = _pseudo_words(rng, n_codes * (words_per_code + 2 * phrases_per_code), (2, 3))
    rng.shuffle(vocab)
    themes, it = [], iter(vocab)
    n_themes = max(1, n_codes // 10)
    for t in range(n_themes):
        codes = []
        for c in range(t, n_codes, n_themes):
            codes.append({
                "name": f"code_{c:03d}", "definition": f"Synthetic benchmark code {c}.",
                "hints": {"words": [next(it) for _ in range(words_per_code)],
                          "phrases": [f"{next(it)} {next(it)}" for _ in range(phrases_per_code)]},
            })
        themes.append({"name": f"theme_{t:02d}", "definition": f"Synthetic benchmark theme {t}.", "codes": codes})
    return parse_codebook({"name": "Benchmark codebook (synthetic)", "themes": themes}, source="benchmark")


def make_segments(n_words: int, codebook: Codebook, seed: int = 7, hint_rate: float = 0.03) -> pd.DataFrame:
    """Sentence segments totalling at least ``n_words`` words; about ``hint_rate`` of words come from hints."""
    rng = np.random.default_rng(seed + 1)
    filler = FUNCTION_WORDS + _pseudo_words(rng, 4000, (1, 3))
    weights = 1.0 / np.arange(1, len(filler) + 1) ** 1.05
    weights /= weights.sum()
    hint_words = [w for c in codebook.codes for w in c.hints.words]
    hint_phrases = [p for c in codebook.codes for p in c.hints.phrases]
    sentences, total = [], 0
    while total < n_words:
        batch = 20_000
        lengths = rng.integers(6, 26, size=batch)
        draws = rng.choice(len(filler), size=int(lengths.sum()), p=weights)
        pos = 0
        for length in lengths:
            words = [filler[i] for i in draws[pos:pos + length]]
            pos += length
            for j in range(length):
                u = rng.random()
                if u < hint_rate * 0.8:
                    words[j] = hint_words[int(rng.integers(len(hint_words)))] + INFLECTIONS[int(rng.integers(6))]
                elif u < hint_rate:
                    words[j] = hint_phrases[int(rng.integers(len(hint_phrases)))]
            if rng.random() < 0.3:
                words.insert(int(rng.integers(1, length)), words[int(rng.integers(length))] + ",")
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", "?", "!"]))
            total += len(sentence.split())
            if total >= n_words:
                break
    starts, pos = [], 0
    for s in sentences:
        starts.append(pos)
        pos += len(s) + 1
    return pd.DataFrame({
        "segment_id": [f"bench#{i}" for i in range(len(sentences))], "transcript": "bench",
        "participant": "synthetic", "role": "mentee", "site": "Synthetic", "start": starts,
        "end": [s + len(t) for s, t in zip(starts, sentences)], "is_interviewer": False, "text": sentences,
    })


def naive_patterns(codebook: Codebook) -> list[tuple[str, list[re.Pattern]]]:
    out = []
    for code in codebook.codes:
        pats = [re.compile(r"\b" + re.escape(w) + r"\w*", re.IGNORECASE) for w in code.hints.words]
        pats += [re.compile(r"\b" + r"\w*\s+".join(re.escape(w) for w in p.split()) + r"\w*", re.IGNORECASE)
                 for p in code.hints.phrases]
        out.append((code.name, pats))
    return out


def naive_code(segments: pd.DataFrame, codebook: Codebook) -> set[tuple[str, str]]:
    """(segment_id, code) pairs where any hint's pattern is found: segment by code by hint, ``search``."""
    patterns = naive_patterns(codebook)
    found = set()
    for seg_id, text in zip(segments["segment_id"], segments["text"]):
        for code, pats in patterns:
            for pat in pats:
                if pat.search(text):
                    found.add((seg_id, code))
                    break
    return found


def count_words(segments: pd.DataFrame) -> int:
    return int(segments["text"].str.split().str.len().sum())


def _time_ours(segments: pd.DataFrame, codebook: Codebook, repeat: int,
               model="auto") -> tuple[float, float, pd.DataFrame]:
    """Best-of-``repeat`` wall-clock and CPU seconds; each run compiles the codebook afresh (and so reads every
    distinct word again; only the stems of words are remembered between runs)."""
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = suggest_codes(segments, compile_codebook(codebook), model=model)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, out


def run(n_words: int = 1_000_000, n_codes: int = 100, seed: int = 7, naive_words: int | None = 200_000,
        repeat: int = 3) -> dict:
    """Time both coders; returns the figures that :func:`main` prints."""
    codebook = make_codebook(n_codes, seed=seed)
    segments = make_segments(n_words, codebook, seed=seed)
    words = count_words(segments)
    ours_s, ours_cpu, ours = _time_ours(segments, codebook, repeat)

    naive_segments = segments
    if naive_words and naive_words < words:
        cum = segments["text"].str.split().str.len().cumsum()
        naive_segments = segments[cum <= naive_words]
    t0, c0 = time.perf_counter(), time.process_time()
    naive = naive_code(naive_segments, codebook)
    naive_s, naive_cpu = time.perf_counter() - t0, time.process_time() - c0
    naive_n = count_words(naive_segments)

    timed_ids = set(naive_segments["segment_id"])
    ours_sub = {p for p in zip(ours["segment_id"], ours["code"]) if p[0] in timed_ids}
    union = ours_sub | naive
    naive_rate = naive_n / naive_s
    return {
        "words": words, "segments": len(segments), "codes": len(codebook.code_names),
        "hints": sum(len(c.hints.words) + len(c.hints.phrases) for c in codebook.codes),
        "ours_seconds": ours_s, "ours_words_per_s": words / ours_s, "ours_cpu_words_per_s": words / ours_cpu,
        "suggestions": len(ours),
        "naive_words": naive_n, "naive_seconds": naive_s, "naive_words_per_s": naive_rate,
        "naive_cpu_words_per_s": naive_n / naive_cpu,
        "ratio": (words / ours_s) / naive_rate, "cpu_ratio": (words / ours_cpu) / (naive_n / naive_cpu),
        "agreement": len(ours_sub & naive) / len(union) if union else 1.0,
    }


def interview_segments(n_words: int) -> pd.DataFrame:
    """The gold interviews' segments (interviewer and participant), repeated as new transcripts up to ``n_words``;
    the blind splits' interviews (:data:`cm_research.qual.crossval.BLIND_SPLITS`) are left unread."""
    from pathlib import Path

    from cm_research.qual.crossval import BLIND_SPLITS
    from cm_research.qual.evaluation import read_gold
    from cm_research.qual.transcripts import read_transcripts

    gold = Path(__file__).resolve().parents[1] / "tests" / "qual" / "gold"
    coding = read_gold(gold / "gold_coding.csv")
    blind = set(coding.loc[coding["split"].isin(BLIND_SPLITS), "transcript"])
    files = sorted(f for f in (gold / "transcripts").glob("*.txt") if f.stem not in blind)
    one = read_transcripts(files, errors="raise").segments()
    copies = -(-n_words // count_words(one))
    return pd.concat([one.assign(transcript=one["transcript"] + f"~{k}", segment_id=one["segment_id"] + f"~{k}")
                      for k in range(copies)], ignore_index=True)


def run_interviews(n_words: int = 1_000_000, repeat: int = 3) -> dict:
    """Time our coder with the starter codebook on the gold interviews repeated to ``n_words`` words: the
    default (hybrid: the hint rules and the learned model) and the rules alone (``model=None``)."""
    from cm_research.qual.codebook import load_codebook

    segments = interview_segments(n_words)
    words = count_words(segments)
    out = {"words": words, "segments": len(segments)}
    for name, model in (("hybrid", "auto"), ("rules", None)):
        wall, cpu, found = _time_ours(segments, load_codebook(), repeat, model=model)
        out.update({f"{name}_seconds": wall, f"{name}_words_per_s": words / wall,
                    f"{name}_cpu_words_per_s": words / cpu, f"{name}_suggestions": len(found)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-words", type=int, default=200_000,
                        help="time the naive coder on the first N words only (0: all); its rate is what is compared")
    parser.add_argument("--interviews", action="store_true",
                        help="time the starter codebook on the gold interviews repeated to --words words")
    args = parser.parse_args(argv)
    if args.interviews:
        r = run_interviews(args.words)
        print(f"corpus: {r['words']:,} words in {r['segments']:,} segments (the gold interviews, synthetic, "
              "repeated); codebook: the starter codebook")
        for name, label in (("hybrid", "hybrid (default)"), ("rules", "rules alone     ")):
            print(f"{label}: {r[name + '_seconds']:7.2f} s {r[name + '_words_per_s']:>12,.0f} words/s "
                  f"({r[name + '_cpu_words_per_s']:,.0f} words per CPU-second; "
                  f"{r[name + '_suggestions']:,} suggestions)")
        print(f"machine load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(words per CPU-second is the figure to compare; other work on the machine slows both)")
        return 0
    r = run(args.words, args.codes, args.seed, args.naive_words or None)
    print(f"corpus: {r['words']:,} words in {r['segments']:,} segments (synthetic, seed {args.seed}); "
          f"codebook: {r['codes']} codes, {r['hints']} hints")
    print(f"ours : {r['ours_seconds']:7.2f} s {r['ours_words_per_s']:>12,.0f} words/s "
          f"({r['ours_cpu_words_per_s']:,.0f} words per CPU-second; {r['suggestions']:,} suggestions)")
    print(f"naive: {r['naive_seconds']:7.2f} s {r['naive_words_per_s']:>12,.0f} words/s "
          f"({r['naive_cpu_words_per_s']:,.0f} words per CPU-second; timed on the first {r['naive_words']:,} words)")
    print(f"ratio: {r['ratio']:.0f}x ({r['cpu_ratio']:.0f}x in CPU time); the two coders agree on "
          f"{100 * r['agreement']:.1f}% of matched (segment, code) pairs")
    print(f"machine load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows both coders)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
