"""Export to REFI-QDA: schema validity (lxml against the REFI-QDA Project schema 1.0), reproducible bytes,
and a lossless round trip export -> import of the bundled SYNTHETIC interviews and their coding."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from lxml import etree

from cm_research.qual import coded_segments, theme_role_matrix
from cm_research.interop.qda.read import CODEBOOK_NS, import_qda, read_qdc
from cm_research.interop.qda.write import codebook_xml, export_qdc, export_qdpx, project_xml, validate_project

KEY = ["transcript", "start", "end", "code", "coder"]


@pytest.fixture(scope="module")
def exported(demo, tmp_path_factory):
    corpus, codebook, coding = demo
    folder = tmp_path_factory.mktemp("qdpx")
    first = export_qdpx(corpus, codebook, coding, folder / "first.qdpx")
    second = export_qdpx(corpus, codebook, coding, folder / "second.qdpx")
    return first, second, import_qda(first)


def test_project_validates_against_the_refi_schema(demo, exported, schema_path):
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    with zipfile.ZipFile(exported[0]) as zf:
        xml = zf.read("project.qde")
        members = zf.namelist()
    schema.assertValid(etree.fromstring(xml))
    assert validate_project(xml, schema_path) == []
    assert members[0] == "project.qde" and all(m.startswith("Sources/") for m in members[1:])
    assert len(members) == 1 + len(demo[0])
    # and the validator does catch an invalid project: a Code without its required isCodable
    broken = xml.replace(b' isCodable="true"', b"", 1)
    assert not schema.validate(etree.fromstring(broken)) and validate_project(broken, schema_path)


def test_second_export_is_byte_identical(exported):
    first, second, _ = exported
    assert first.read_bytes() == second.read_bytes()


def test_round_trip_gives_back_codes_texts_selections_and_coders(demo, exported):
    corpus, codebook, coding = demo
    project = exported[2]
    assert project.codebook.code_names == codebook.code_names
    assert [t.name for t in project.codebook.themes] == [t.name for t in codebook.themes]
    fields = ["theme", "theme_label", "code", "code_label", "definition", "use_when", "not_when", "example"]
    pd.testing.assert_frame_equal(project.codebook.table()[fields], codebook.table()[fields])
    assert [t.transcript for t in project.corpus.transcripts] == [t.transcript for t in corpus.transcripts]
    for t in project.corpus.transcripts:
        original = corpus[t.transcript]
        assert t.text == original.text
        assert (t.role, t.site, t.pseudonym) == (original.role, original.site, original.pseudonym)
        assert [(u.start, u.end, u.kind) for u in t.turns] == [(u.start, u.end, u.kind) for u in original.turns]
    back = project.coding[KEY].sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, coding[KEY].sort_values(KEY).reset_index(drop=True), check_dtype=False)
    assert set(project.users["name"]) == set(coding["coder"]) == {"Coder A", "Coder B"}
    assert (project.selections["status"] == "aligned").all()
    assert (project.sources["offset_convention"] == "characters").all()


def test_roles_and_sites_are_case_variables(demo, exported):
    corpus = demo[0]
    project = exported[2]
    wide = project.cases.pivot_table(index="transcript", columns="variable", values="value", aggfunc="first")
    participants = corpus.participants().set_index("transcript")
    assert wide["role"].to_dict() == participants["role"].to_dict()
    assert wide["site"].to_dict() == participants["site"].to_dict()
    # cases are named by the safe participant label, never the pseudonym
    assert set(project.cases["case"]) == set(participants["participant_label"])


def test_imported_project_gives_the_same_theme_by_role_matrix(demo, exported):
    corpus, codebook, coding = demo
    project = exported[2]
    before = theme_role_matrix(coded_segments(coding, corpus.segments()), corpus.participants(), codebook)
    after = theme_role_matrix(coded_segments(project.coding, project.corpus.segments()),
                              project.corpus.participants(), project.codebook)
    pd.testing.assert_frame_equal(after, before)
    assert before["n_segments"].sum() > 0


def test_qdc_round_trip_and_reproducible(demo, tmp_path):
    codebook = demo[1]
    path = export_qdc(codebook, tmp_path / "codebook.qdc")
    assert path.read_bytes() == codebook_xml(codebook)
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    ns = {"c": CODEBOOK_NS}
    assert len(root.xpath("c:Codes/c:Code", namespaces=ns)) == len(codebook.themes)
    assert len(root.xpath("c:Codes/c:Code/c:Code", namespaces=ns)) == len(codebook.codes)
    back = read_qdc(path)
    assert back.code_names == codebook.code_names
    assert [c.definition for c in back.codes] == [c.definition for c in codebook.codes]
    assert [c.label for c in back.codes] == [c.label for c in codebook.codes]


def test_export_refuses_coding_that_does_not_fit(demo):
    from cm_research.qual import CodingImportError

    corpus, codebook, coding = demo
    bad = coding.head(2).copy()
    bad.loc[bad.index[0], "code"] = "no_such_code"
    bad.loc[bad.index[1], "end"] = 10 ** 7
    with pytest.raises(CodingImportError) as err:
        project_xml(corpus, codebook, bad)
    assert "no_such_code" in str(err.value) and "line 2" in str(err.value)
