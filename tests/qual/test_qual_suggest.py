"""Suggested coding: stems, phrases, negation, labelling, offsets, and the review round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual import (CodingImportError, accepted_coding, parse_codebook, read_review_csv, read_transcripts,
                              suggest_codes, write_review_csv)
from cm_research.qual.suggest import SUGGESTION_STATUS, compile_codebook

CODEBOOK = parse_codebook({"themes": [
    {"name": "confidence", "definition": "Confidence.", "codes": [
        {"name": "confidence_gained", "definition": "More confident.",
         "hints": {"words": ["confident", "brave"], "phrases": ["believe in myself"]}}]},
    {"name": "listening", "definition": "Listening.", "codes": [
        {"name": "feeling_heard", "definition": "Heard.", "hints": {"words": ["listen"], "phrases": ["opened up"]}},
        {"name": "aspiration", "definition": "Hopes.", "hints": {"words": ["aspir*"], "regex": [r"\bwant(?:ed)? to be\b"]}}]},
]}, source="test")


def _segments(texts, interviewer=None):
    interviewer = interviewer or [False] * len(texts)
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(texts))], "transcript": "t", "participant": "p",
                         "role": "mentee", "site": "X", "start": starts,
                         "end": [s + len(t) for s, t in zip(starts, texts)], "is_interviewer": interviewer,
                         "text": texts})


def _found(suggestions):
    return sorted(zip(suggestions["segment_id"], suggestions["code"], suggestions["matched"], suggestions["negated"],
                      suggestions["negation_cue"]))


def test_negation_is_scoped_to_the_clause_and_double_negation_cancels():
    s = suggest_codes(_segments([
        "I didn't feel confident at all.",                      # s0 flagged
        "I feel confident now.",                                # s1
        "I wasn't sure at first, but now I feel confident.",   # s2 the comma and "but" end the negation
        "I never thought I would feel so brave.",               # s3 a surprise, not a denial
        "Nothing changed. I was brave.",                        # s4 a full stop ends the negation
        "I never felt like anyone really would listen.",        # s5 six words back, same clause: flagged
        "Not that I didn't feel confident, but it was hard.",   # s6 'not that' + 'didn't': double negation
        "I don't think that I was ever confident.",             # s7 'think' carries the negation over 'that'
        "She said that I was confident.",                       # s8 'that' ends the clause; no cue anyway
        "I can't say I felt brave.",                             # s9 'can't' reaches 'felt brave'
    ]), CODEBOOK)
    assert _found(s) == [
        ("s0", "confidence_gained", "confident", True, "didn't"),
        ("s1", "confidence_gained", "confident", False, ""),
        ("s2", "confidence_gained", "confident", False, ""),
        ("s3", "confidence_gained", "brave", False, ""),
        ("s4", "confidence_gained", "brave", False, ""),
        ("s5", "feeling_heard", "listen", True, "never"),
        ("s6", "confidence_gained", "confident", False, ""),
        ("s7", "confidence_gained", "confident", True, "don't"),
        ("s8", "confidence_gained", "confident", False, ""),
        ("s9", "confidence_gained", "brave", True, "can't"),
    ]
    reasons = dict(zip(s["segment_id"], s["flag_reason"]))
    assert reasons["s0"] == "flagged: negated by 'didn't' in the same clause"
    assert reasons["s3"] == "not flagged: 'never thought' reports a surprise, not a denial"
    assert reasons["s6"] == "not flagged: double negation ('not that ... didn't')"
    assert reasons["s1"] == "not flagged: no negation cue in its clause"
    narrow = suggest_codes(_segments(["I never felt like anyone really would listen."]), compile_codebook(CODEBOOK, 3))
    assert _found(narrow) == [("s0", "feeling_heard", "listen", False, "")]  # 'never' is outside 3 words


def test_hedges_are_never_evidence_and_negation_expected_hints_are_not_flagged():
    book = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
        {"name": "trust", "definition": "Trust.", "hints": {"words": ["honest", "trust"]}},
        {"name": "reliable", "definition": "Reliable.", "hints": {"negation_expected": ["let me down"]}},
        {"name": "anxiety", "definition": "Anxiety.",
         "hints": {"words": ["anxious"], "by_role": {"young person": ["worry", "worried"]}}},
    ]}]}, source="test")
    seg = _segments(["To be honest it was fine.", "Honestly, I don't know.", "I'll be honest with you.",
                     "She was honest with me.", "He never once let me down.", "My worry was the placement.",
                     "I was worried about school.", "She has a say in it.", "I can be honest with her.",
                     "I don't want to trust anyone.", "I don't trust anyone."])
    seg.loc[5, "role"] = "social_worker"
    s = suggest_codes(seg, book)
    assert _found(s) == [
        ("s10", "trust", "trust", True, "don't"),
        ("s3", "trust", "honest", False, ""),
        ("s4", "reliable", "let me down", False, ""),
        ("s6", "anxiety", "worried", False, ""),
        ("s8", "trust", "honest", False, ""),   # "be honest" with no "to" or "I'll" before it is not a hedge
        ("s9", "trust", "trust", False, ""),    # a wish, not a denial
    ]
    reasons = dict(zip(s["segment_id"], s["flag_reason"]))
    assert reasons["s4"] == "not flagged: 'let me down' is evidence even when negated ('never')"
    assert reasons["s6"] == "not flagged: no negation cue in its clause; 'worried' counts only from a mentee"
    # "has" is brought to "have" before stemming, so the phrase hint "have a say" matches "has a say"
    voice = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
        {"name": "voice", "definition": "Voice.", "hints": {"phrases": ["have a say", "felt safe"]}}]}]})
    assert _found(suggest_codes(_segments(["She has a say in it.", "I feel safe there."]), voice)) == [
        ("s0", "voice", "has a say", False, ""), ("s1", "voice", "feel safe", False, "")]


def test_an_answer_takes_the_codes_of_the_question():
    seg = _segments(["Did you feel confident?", "Yeah, eventually.", "It took a while.", "I didn't listen at first.",
                     "Anything else?", "No, that's it."], interviewer=[True, False, False, False, True, False])
    seg["transcript"], seg["turn"] = "t", [1, 2, 2, 2, 3, 4]
    s = suggest_codes(seg, CODEBOOK)
    # s1 and s2 answer the question and match nothing themselves; s3 has a match of its own (negated), so it
    # keeps its own and takes nothing from the question; "Anything else?" carries no code
    assert _found(s) == [("s1", "confidence_gained", "confident", False, ""),
                         ("s2", "confidence_gained", "confident", False, ""),
                         ("s3", "feeling_heard", "listen", True, "didn't")]
    reason = ("from the interviewer's question ('confident'): the sentence answers it and matches no hint itself")
    assert s["flag_reason"].tolist()[:2] == [reason, reason]
    assert _found(suggest_codes(seg, CODEBOOK, question_context=False)) == [("s3", "feeling_heard", "listen", True,
                                                                             "didn't")]


def test_question_hints_count_only_in_questions_and_decide_which_questions_carry_a_code():
    book = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
        {"name": "time_and_workload", "definition": "Time.", "hints": {"words": ["manager"],
                                                                       "questions": ["around your job"]}},
        {"name": "careers", "definition": "Jobs.", "hints": {"words": ["job"], "questions": ["career"]}},
        {"name": "belonging", "definition": "Belonging.", "hints": {"words": ["belong"]}}]}]}, source="test")
    seg = _segments(["How do you fit it around your job?", "My boss was brilliant.", "Around your job, you say?",
                     "Do you feel you belong there?", "Mostly."],
                    interviewer=[True, False, False, True, False])
    seg["transcript"], seg["turn"] = "t", [1, 2, 2, 3, 4]
    s = suggest_codes(seg, book, model=None)  # the hints alone (the model may add "My boss..." on its own score)
    # the question's "job" is a hint of careers, but careers lists its questions ("career"), and "job" is not one of
    # them; a participant saying "around your job" is not a question; belonging lists no questions, so its
    # ordinary hints carry it
    assert _found(s) == [("s1", "time_and_workload", "around your job", False, ""),
                         ("s2", "careers", "job", False, ""),
                         ("s4", "belonging", "belong", False, "")]


def test_a_code_whose_hints_are_evidence_when_negated_and_hyphenated_word_hints():
    book = parse_codebook({"themes": [{"name": "t", "definition": "T.", "codes": [
        {"name": "joined_up_working", "definition": "Services working together.",
         "hints": {"words": ["communication", "short-staffed"], "negation": "evidence"}},
        {"name": "confidence_gained", "definition": "More confident.", "hints": {"words": ["confident"]}}]}]},
        source="test")
    assert book.codes[0].hints.negation == "evidence" and book.codes[1].hints.negation == "flag"
    s = suggest_codes(_segments(["We're not great at communication.", "I didn't feel confident.",
                                 "They're short-staffed.", "It was short."]), book)
    # the absence of joined-up working is evidence about it; the absence of confidence is not confidence gained;
    # "short-staffed" is the phrase "short staffed", not the word "short"
    assert _found(s) == [("s0", "joined_up_working", "communication", False, ""),
                         ("s1", "confidence_gained", "confident", True, "didn't"),
                         ("s2", "joined_up_working", "short staffed", False, "")]
    assert s["flag_reason"].iloc[0] == "not flagged: 'communication' is evidence even when negated ('not')"


def test_curly_apostrophes_and_a_code_negated_only_when_every_match_is():
    s = suggest_codes(_segments(["I didn\u2019t feel confident.", "I wasn't confident, now I'm confident."]), CODEBOOK)
    assert _found(s) == [("s0", "confidence_gained", "confident", True, "didn't"),
                         ("s1", "confidence_gained", "confident", False, "")]


def test_stems_phrases_prefixes_and_regex():
    s = suggest_codes(_segments([
        "She listened, and I opened up.",       # stem listen; phrase "opened up" (stems open + up)
        "I listen to music.",
        "Open. Up there.",                       # a phrase does not cross a full stop
        "My aspirations changed.",               # prefix aspir*
        "I wanted to be a nurse.",               # regex
        "I started to believe in myself.",       # three-word phrase
    ]), CODEBOOK)
    assert _found(s) == [
        ("s0", "feeling_heard", "listened; opened up", False, ""),
        ("s1", "feeling_heard", "listen", False, ""),
        ("s3", "aspiration", "aspirations", False, ""),
        ("s4", "aspiration", "wanted to be", False, ""),
        ("s5", "confidence_gained", "believe in myself", False, ""),
    ]


def test_interviewer_segments_are_not_coded_unless_asked():
    seg = _segments(["Did you feel confident?", "I felt brave."], interviewer=[True, False])
    assert suggest_codes(seg, CODEBOOK)["segment_id"].tolist() == ["s1"]
    assert suggest_codes(seg, CODEBOOK, include_interviewer=True)["segment_id"].tolist() == ["s0", "s1"]


def test_suggestions_are_labelled_and_point_at_their_text():
    seg = _segments(["Nothing here.", "I felt brave.", "I listen."])
    s = suggest_codes(seg, CODEBOOK)
    assert set(s["source"]) == {"suggestion"} and set(s["status"]) == {SUGGESTION_STATUS}
    assert "not reviewed" in SUGGESTION_STATUS
    full = "\n".join(seg["text"])
    assert all(full[a:b] == x for a, b, x in zip(s["start"], s["end"], s["text"]))


def test_batched_matching_equals_one_segment_at_a_time():
    texts = ["I didn't feel confident.", "", "Brave\x00and confident", "Listen, I opened", "up later.",
             "aspirational stuff; I wanted to be brave"] * 1500
    seg = _segments(texts)
    together = suggest_codes(seg, CODEBOOK)
    alone = pd.concat([suggest_codes(seg.iloc[[i]], CODEBOOK) for i in range(12)], ignore_index=True)
    assert _found(together[together["segment_id"].isin([f"s{i}" for i in range(12)])]) == _found(alone)
    assert len(together) == 1500 * len(alone) / 2  # the pattern repeats every 6 segments


def test_review_round_trip(tmp_path, write_transcript):
    write_transcript("a.txt", "Interviewer: Did you feel confident?\nJade: I felt brave. I listen now. "
                              "I didn't feel confident.\n")
    corpus = read_transcripts(tmp_path)
    suggestions = suggest_codes(corpus.segments(), CODEBOOK)
    path = tmp_path / "review.csv"
    review = write_review_csv(suggestions, path)
    assert review["decision"].tolist() == ["", "", ""] and review["negated"].tolist() == [False, False, True]
    assert set(review["status"]) == {SUGGESTION_STATUS}
    edited = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited["decision"] = ["Accept", "reject", ""]
    edited.to_csv(path, index=False)
    back = read_review_csv(path, corpus, CODEBOOK)
    assert back["decision"].tolist() == ["accept", "reject", "undecided"]
    coding = accepted_coding(back, corpus)
    assert coding[["code", "quote", "source", "coder"]].values.tolist() == [
        ["confidence_gained", "I felt brave.", "suggestion_accepted", "analyst"]]
    text = corpus.text("a")
    assert text[coding.loc[0, "start"]:coding.loc[0, "end"]] == "I felt brave."

    edited["decision"] = ["maybe", "yes", "no"]
    edited.to_csv(path, index=False)
    with pytest.raises(CodingImportError, match=r"review\.csv, line 2, column `decision`: decision 'maybe'"):
        read_review_csv(path, corpus, CODEBOOK)


def _reference_suggestions(segments, codebook, window=8):
    """A slow, plain re-implementation: every segment, every code, every hint, token by token, with the
    rules of the module docstring written out again (clause scope, parity of cues, "that", surprise, hedges,
    negation-expected hints, role-restricted hints, irregular forms; "not as if", negative words between a cue
    and the match, "not ... until", clause-opening hedges, an adult's own feelings)."""
    import re

    from nltk.stem.snowball import SnowballStemmer

    from cm_research.qual.tokens import IRREGULAR

    stemmer = SnowballStemmer("english")
    token_re = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[,;:.!?\u2026\u2014()]")
    breaks = set(",;:.!?\u2026\u2014()") | {"but", "although", "though", "however", "until", "now", "because", "cos",
                                            "cause", "when", "which", "while", "whereas", "if", "instead", "rather",
                                            "except"}
    negators = {"not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "without", "hardly", "barely",
                "cannot", "dont", "didnt", "wasnt", "cant", "couldnt", "wouldnt", "wont", "isnt", "arent", "havent",
                "hasnt", "hadnt", "shouldnt", "werent", "aint", "lack", "lacked", "lacking"}
    raising = {"think", "thought", "say", "saying", "said", "mean", "believe", "reckon", "suppose", "feel", "felt",
               "expect", "expected"}
    surprise = {"thought", "expected", "imagined", "dreamed", "dreamt"}
    hedge_before = {"honest": [["to", "be"], ["i'll", "be"], ["ill", "be"], ["i'm"], ["im"], ["being"], ["perfectly"],
                               ["brutally"], ["totally"], ["completely"]],
                    "fair": [["to", "be"], ["being"]], "lie": [["not", "gonna"], ["not", "going", "to"], ["won't"]],
                    "wrong": [["get", "me"]]}
    hedge_before["honest"] += [["let's", "be"], ["lets", "be"]]
    always_hedge = {"honestly", "frankly", "truthfully", "basically"}
    # word -> what follows it when it opens a clause as a discourse marker ("," is any break)
    openers = {"listen": [[","]], "look": [[","]], "honest": [[","]], "trust": [["me", ","]], "believe": [["me", ","]],
               "mind": [["you"]]}
    anywhere = {"safe": [["to", "say"]]}
    wish = {"want", "wanted", "wants", "wish", "wished"}
    negative_words = {"afraid", "scared", "frightened", "ashamed", "embarrassed", "shy", "mind", "bad", "stop",
                      "stopped", "stops", "stopping", "quit", "fail", "failed", "refuse", "refused", "hate", "hated",
                      "reluctant", "hesitant", "unwilling", "uncomfortable", "unhappy", "unhelpful", "unusual",
                      "unkind", "unsure", "unreliable", "unheard", "unlikely", "unable", "worried", "nervous", "wrong"}
    first_person = {"i", "i'm", "im", "i've", "ive", "i'd", "id", "i'll", "my", "myself"}
    others = {"she", "he", "they", "her", "him", "his", "them", "their", "she's", "he's", "they're", "she'd", "he'd",
              "they'd", "she'll", "he'll", "they'll", "hers", "herself", "himself", "themselves", "you", "your",
              "you're", "we", "we're", "our", "us", "it", "it's", "anyone", "everyone", "nobody", "somebody",
              "someone", "think", "thought", "know", "knew", "reckon", "suppose", "guess", "believe", "noticed",
              "notice", "saw", "see", "tell"}

    def is_neg(t):
        return t in negators or t.endswith("n't")

    def is_break(tokens, j):  # "if" in "not as if" does not end a clause
        return tokens[j] in breaks and not (tokens[j] == "if" and j > 1 and tokens[j - 1] == "as"
                                            and is_neg(tokens[j - 2]))

    def negated_at(tokens, i):
        count, between, pending, j = 0, 0, 0, i - 1
        while j >= max(0, i - window):
            t = tokens[j]
            if t == "if" and j > 1 and tokens[j - 1] == "as" and is_neg(tokens[j - 2]):
                count, between, pending = count + 1, between + pending, 0
                j -= 3
                continue
            if t in negative_words:
                pending += 1
            if t == "that":
                before = tokens[j - 1] if j > 0 else ""
                if is_neg(before):
                    count += 1
                    j -= 2
                    continue
                if before not in raising:
                    break
            elif t in breaks:
                break
            elif is_neg(t):
                if j + 1 < len(tokens) and tokens[j + 1] in surprise | wish:
                    return False
                count, between, pending = count + 1, between + pending, 0
            j -= 1
        if count == 0:
            return None  # no cue in its clause
        if (count + between) % 2 == 0:
            return False
        k = i  # "nobody listened until she came": the clause ending in "until" says when, not never
        while k < len(tokens) and not (is_break(tokens, k) or tokens[k] in ("till", "til")):
            k += 1
        return not (k < len(tokens) and tokens[k] in ("until", "till", "til"))

    def is_hedge(tokens, i):
        t = tokens[i]
        if t in always_hedge or any(i >= len(h) and tokens[i - len(h):i] == h for h in hedge_before.get(t, [])):
            return True
        after = ["," if w in breaks else w for w in tokens[i + 1:i + 3]]
        if any(after[:len(p)] == p for p in anywhere.get(t, [])):
            return True
        if i > 0 and tokens[i - 1] not in breaks:
            return False
        return any(after[:len(p)] == p or (p[-1] == "," and after == p[:-1]) for p in openers.get(t, []))

    def speakers_own(tokens, i):  # the nearest person named before position i in its clause is "I" or "my"
        j = i - 1
        while j >= 0 and not is_break(tokens, j):
            if tokens[j] in others:
                return False
            if tokens[j] in first_person:
                return True
            j -= 1
        return False

    def stems_of(text):
        return tuple(stemmer.stem(IRREGULAR.get(w, w)) for w in token_re.findall(text.lower()))

    single = set()  # every one-word hint's stem, and the prefixes
    for code in codebook.codes:
        listed = [*code.hints.words, *code.hints.negation_expected, *code.hints.questions,
                  *(h for _, hs in code.hints.by_role for h in hs)]
        single |= {stems_of(h) for h in listed if not h.endswith("*") and len(stems_of(h)) == 1}
    prefix_hints = [h[:-1].lower() for c in codebook.codes for h in c.hints.words if h.endswith("*")]
    per_code = []
    for code in codebook.codes:
        evidence = code.hints.negation == "evidence"  # every hint of the code is evidence even when negated
        hints = [(stems_of(h), evidence, None) for h in list(code.hints.words) + list(code.hints.phrases)
                 if not h.endswith("*")]
        hints += [(stems_of(h), True, None) for h in code.hints.negation_expected]
        hints += [(stems_of(h), evidence, role) for role, listed in code.hints.by_role for h in listed]
        per_code.append((code.name, hints, [h[:-1].lower() for h in code.hints.words if h.endswith("*")], evidence,
                         code.hints.about == "young_person"))
    out = set()
    for seg_id, role, text in zip(segments["segment_id"], segments["role"], segments["text"]):
        tokens = token_re.findall(text.lower().replace("\u2019", "'"))
        stems = [stemmer.stem(IRREGULAR.get(t, t)) for t in tokens]
        hedges = [is_hedge(tokens, i) for i in range(len(tokens))]
        adults_own = [role != "mentee" and speakers_own(tokens, i) for i in range(len(tokens))]
        for name, hints, prefixes, evidence, young in per_code:
            flags = []
            for i in range(len(tokens)):
                t = tokens[i]
                hedge = hedges[i]
                if young and adults_own[i]:
                    continue  # an adult's own feeling is not the young person's
                # "unsafe": a hint's word with a negating prefix, when the word itself is no hint
                unword = (t.startswith("un") and len(t) >= 7 and t[2:].isalpha() and (stems[i],) not in single
                          and not any(t.startswith(p) for p in prefix_hints))
                for h, ok, only in hints:
                    if unword and len(h) == 1 and h == stems_of(t[2:]) and (only is None or only == role):
                        flags.append(False if ok else negated_at(tokens, i) is None)
                        continue
                    if tuple(stems[i:i + len(h)]) != h or (only is not None and only != role):
                        continue
                    if hedge and len(h) == 1:
                        continue
                    flags.append(False if ok else bool(negated_at(tokens, i)))
                if any(t.startswith(p) for p in prefixes) and not hedge:
                    flags.append(False if evidence else bool(negated_at(tokens, i)))
            if flags:
                out.add((seg_id, name, all(flags)))
    return out


def test_fast_coder_equals_a_plain_reimplementation_on_the_demo_corpus():
    from cm_research.datasets.transcripts import transcripts_dir
    from cm_research.qual import load_codebook

    codebook = load_codebook()
    segments = read_transcripts(transcripts_dir()).segments()
    mine = segments[~segments["is_interviewer"]]
    fast = suggest_codes(segments, codebook, question_context=False, model=None)  # the rules alone
    assert set(zip(fast["segment_id"], fast["code"], fast["negated"])) == _reference_suggestions(mine, codebook)
    assert fast["negated"].sum() > 10  # the demo interviews do say "I didn't feel confident" and the like


def test_blank_and_non_text_cells_are_read_as_text_not_a_crash():
    # a segments table read from a file: a blank sentence is empty (no codes), a number is its text
    from cm_research.qual import load_codebook

    segments = pd.DataFrame({"segment_id": ["a", "b", "c"], "transcript": "t", "participant": "p", "role": "mentee",
                             "site": "X", "start": 0, "end": 1, "is_interviewer": False, "turn": [1, 2, 3],
                             "text": pd.Series([None, 7, "I trusted her with everything."], dtype=object)})
    for model in (None, "auto"):
        found = suggest_codes(segments, load_codebook(), model=model)
        assert set(found["segment_id"]) == {"c"} and "trust_and_openness" in set(found["code"])
