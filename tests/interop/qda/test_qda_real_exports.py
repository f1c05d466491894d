"""Real exports from NVivo 12 (Windows), ATLAS.ti 8 and Taguette 1.5.2 (../shared/interop/, skipped when absent).

Expected counts come from the README of ../shared/interop/ (152 codes, 303 codings for NVivo) and from
walking the XML / database here with lxml and sqlite3, independently of cm_research.interop.qda.read.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile

import pytest
from lxml import etree

from cm_research.qual import coded_segments, theme_role_matrix
from cm_research.interop.qda.read import import_qda, read_qdc

NS = {"q": "urn:QDA-XML:project:1.0"}


def _depths(root) -> dict[int, int]:
    """Number of codes at each depth of the code tree, counted with XPath."""
    out, depth = {}, 1
    while True:
        n = int(root.xpath("count(q:CodeBook/q:Codes" + "/q:Code" * depth + ")", namespaces=NS))
        if not n:
            return out
        out[depth], depth = n, depth + 1


@pytest.fixture(scope="module")
def nvivo(shared):
    path = shared("nvivo12-windows-hungarian.qdpx")
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        texts = {n: zf.read(n) for n in zf.namelist() if n.endswith(".txt")}
    return import_qda(path), root, texts


def test_nvivo_codes_and_nesting(nvivo):
    project, root, _ = nvivo
    depths = _depths(root)
    assert len(project.codes) == 152 == sum(depths.values())  # README: 152 codes
    assert project.codes["depth"].value_counts().to_dict() == depths
    assert max(depths) == 4
    # each top-level code is a theme; every code below it is one of its codes
    assert len(project.codebook.themes) == depths[1]
    assert sum(len(t.codes) for t in project.codebook.themes) == len(project.codes) - depths[1] + sum(
        1 for r in project.codes.itertuples() if r.depth == 1 and r.n_children == 0)
    described = int(root.xpath("count(//q:Code[q:Description[normalize-space()]])", namespaces=NS))
    assert (project.codes["description"] != "").sum() == described
    assert set(project.users["name"]) == {"Gergo", "floriansipos"}


def test_nvivo_offsets_are_utf16_units_of_the_crlf_text_without_bom(nvivo):
    project, root, texts = nvivo
    assert len(project.coding) == 303 and len(project.selections) == 303  # README: 303 codings
    source = project.sources.set_index("transcript").loc["videos_10_selected"]
    assert source["offset_convention"] == "utf16"
    raw = texts[f"Sources/{source['guid']}.txt"]
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    text = project.corpus.text("videos_10_selected")
    assert "\r\n" in text and not text.startswith("\ufeff")
    # independent conversion: slice the UTF-16-LE bytes of the text at 2 bytes per unit
    units = raw[3:].decode("utf-8").encode("utf-16-le")
    for r in project.selections.itertuples():
        assert units[2 * r.raw_start:2 * r.raw_end].decode("utf-16-le") == text[r.start:r.end] == r.text


def test_nvivo_misaligned_selections_are_reported_not_shifted_or_dropped(nvivo):
    project, _, _ = nvivo
    sel = project.selections
    mid_word = re.compile(r"\w")

    def cuts_a_word(text, i):
        return 0 < i < len(text) and bool(mid_word.match(text[i - 1]) and mid_word.match(text[i]))

    text = project.corpus.text("videos_10_selected")
    expected = sel.apply(lambda r: cuts_a_word(text, r.start) or cuts_a_word(text, r.end), axis=1)
    assert (sel["status"] == "misaligned").tolist() == expected.tolist()
    assert (sel["status"] == "misaligned").sum() == 3
    report = project.offset_report().set_index("transcript").loc["videos_10_selected"]
    assert (report["n_aligned"], report["n_misaligned"], report["n_outside"]) == (300, 3, 0)
    assert report["examples"].count("..") == 3
    assert any("3 of 303 selections do not line up" in m for m in project.messages)
    # misaligned selections stay in the coding with the offsets as given (converted, not moved)
    bad = sel[sel["status"] == "misaligned"]
    merged = bad.merge(project.coding, on=["transcript", "start", "end"])
    assert len(merged) >= len(bad)


def test_nvivo_project_goes_into_the_theme_by_role_matrix(nvivo):
    project, _, _ = nvivo
    coded = coded_segments(project.coding, project.corpus.segments())
    matrix = theme_role_matrix(coded, project.corpus.participants(), project.codebook)
    # no case variables in this project: every source's role is 'unknown', and the messages say so
    assert set(matrix["role"]) == {"unknown"}
    assert sum("no case variable 'role'" in m for m in project.messages) == 2
    coded_themes = {t for c in project.coding["code"] for t in project.codebook.themes_of(c)}
    assert set(matrix.loc[matrix["n_segments"] > 0, "theme"]) == coded_themes


@pytest.fixture(scope="module")
def atlas(shared):
    path = shared("atlasti8-standard-project.qde")
    return import_qda(path), etree.parse(str(path)).getroot()


def test_atlas_codes_users_and_descriptions(atlas, shared):
    project, root = atlas
    depths = _depths(root)
    assert len(project.codes) == 14 == sum(depths.values())
    assert depths == {1: 14}  # ATLAS.ti 8 writes codes flat, a hierarchy as names "Coke::diet Coke"
    assert project.codes["depth"].value_counts().to_dict() == {1: 12, 2: 2}
    coke = project.codes[project.codes["theme"] == "Coke"]
    assert coke[["path", "parent", "depth"]].values.tolist() == [
        ["Coke", "", 1], ["Coke / full-fat Coke", "Coke", 2], ["Coke / diet Coke", "Coke", 2]]
    assert [c.name for c in project.codebook.theme("Coke").codes] == ["full-fat Coke", "diet Coke"]
    assert (project.codes["description"] != "").sum() == 7
    assert len(project.users) == 3
    assert read_qdc(shared("atlasti8-standard-project.qde")).code_names == project.codebook.code_names


def test_atlas_non_text_sources_are_listed_and_skipped(atlas):
    project, root = atlas
    sources = project.sources
    for element, kind in (("PictureSource", "picture"), ("AudioSource", "audio"), ("VideoSource", "video")):
        expected = int(root.xpath(f"count(q:Sources/q:{element})", namespaces=NS))
        got = sources[sources["kind"] == kind]
        assert len(got) == expected > 0
        assert (got["status"] == "skipped").all()
        assert all(f"{kind} source" in m and "skipped" in m for m in got["message"])
    # both PDFs carry a text representation: read as text (not found here, a bare .qde), their regions counted
    pdfs = root.xpath("q:Sources/q:PDFSource[q:Representation]/@name", namespaces=NS)
    assert sorted(sources.loc[sources["kind"] == "PDF text", "name"]) == sorted(pdfs) and len(pdfs) == 2
    n_regions = int(root.xpath("count(q:Sources/q:PDFSource/q:PDFSelection)", namespaces=NS))
    assert sum(f"{n_regions} regions drawn on its pages (4 codings)" in m for m in project.messages) == 1
    assert len(project.corpus.skipped) == len(sources)  # nothing imported: a bare .qde carries no texts


def test_atlas_bare_qde_lists_text_selections_it_cannot_place(atlas):
    project, root = atlas
    n_text = int(root.xpath("count(q:Sources/q:TextSource | q:Sources/q:PDFSource/q:Representation)",
                            namespaces=NS))
    n_sel = int(root.xpath("count(q:Sources/*/q:PlainTextSelection | q:Sources/*/q:Representation/q:PlainTextSelection)",
                           namespaces=NS))
    text_sources = project.sources[project.sources["kind"].isin(["text", "PDF text"])]
    assert len(text_sources) == n_text == 8 and (text_sources["status"] == "no_text").all()
    assert len(project.selections) == n_sel == 8 and (project.selections["status"] == "no_text").all()
    assert project.coding.empty and len(project.corpus) == 0
    assert all("put the project's Sources folder beside project.qde" in m for m in text_sources["message"])


def test_taguette_qdc_with_empty_sets_and_no_descriptions(shared):
    path = shared("taguette-1.5.2-export/codebook.qdc")
    codebook = read_qdc(path)
    names = etree.parse(str(path)).getroot().xpath("//c:Code/@name", namespaces={"c": "urn:QDA-XML:codebook:1.0"})
    assert codebook.code_names == names == ["interesting", "confidence", "placement instability"]
    assert all(c.definition == "" for c in codebook.codes)


def test_taguette_database_and_csv_exports_agree(shared):
    from cm_research.interop.qda.taguette import import_taguette, read_taguette_codebook, read_taguette_highlights

    db = shared("taguette-1.5.2-export/project.sqlite3")
    project = import_taguette(db, roles={"Mentee01": "young person"}, sites={"Mentee01": "Testshire"})
    table, codebook = read_taguette_codebook(shared("taguette-1.5.2-export/codebook.csv"))
    assert codebook.code_names == project.codebook.code_names == table["tag"].tolist()
    # Taguette's own counts (codebook.csv) against the highlights we placed from the database
    placed = project.coding.groupby("code").size().reindex(table["tag"], fill_value=0)
    assert placed.tolist() == table["n_highlights"].tolist() == [0, 2, 1]
    with sqlite3.connect(db) as con:
        snippets = dict(con.execute("SELECT id, snippet FROM highlights"))
    assert (project.selections["status"] == "aligned").all()
    for r in project.selections.itertuples():
        assert f"<p>{r.text}</p>" == snippets[int(r.guid)]
    assert set(project.coding["coder"]) == {"admin"}
    # the highlights CSV carries no offsets: each highlight is found once, at the database's offsets
    coding, report = read_taguette_highlights(shared("taguette-1.5.2-export/highlights_.csv"), project.corpus)
    assert (report["status"] == "located").all() and len(report) == 2
    key = ["transcript", "start", "end", "code"]
    assert coding[key].sort_values(key).values.tolist() == project.coding[key].sort_values(key).values.tolist()
    # roles from the caller; the interviewer's lines are the interviewer's
    participants = project.corpus.participants()
    assert participants["role"].tolist() == ["mentee"]
    segments = project.corpus.segments()
    assert segments.loc[segments["is_interviewer"], "text"].str.endswith("?").all()
    matrix = theme_role_matrix(coded_segments(project.coding, segments), participants, project.codebook)
    assert matrix.set_index("theme")["n_participants"].to_dict() == {"interesting": 0, "confidence": 1,
                                                                     "placement instability": 1}
