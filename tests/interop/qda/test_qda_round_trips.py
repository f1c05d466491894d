"""Round trips import -> folder -> export -> import, on the real files of ../shared/interop and on a project
written here: exact segments, hierarchy, users, memos, comments, sets and links, through the command line.

Expected values come from the files themselves, read with lxml and sqlite3 independently of the code under
test; UTF-16 positions are computed by encoding the text with Python's codec.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from cm_research.cli import main
from cm_research.qual import parse_codebook, read_transcripts
from cm_research.interop.qda.folder import read_project_folder, write_project_folder
from cm_research.interop.qda.read import import_qda
from cm_research.interop.qda.write import export_qdpx, validate_project

NS = {"q": "urn:QDA-XML:project:1.0"}
KEY = ["transcript", "start", "end", "code", "coder", "quote"]


def _round_trip(tmp_path, source, *extra) -> tuple:
    """import-qda SOURCE -> folder -> export-qdpx -> the .qdpx written and the folder."""
    folder, out = tmp_path / "imported", tmp_path / "back.qdpx"
    assert main(["import-qda", str(source), "--out", str(folder), *extra[:0]]) == 0
    assert main(["export-qdpx", "--transcripts", str(folder), "--out", str(out), *extra]) == 0
    return out, folder


def _coding(project) -> list:
    return project.coding[KEY].sort_values(KEY).values.tolist()


def _tree(project) -> list:
    return project.codes[["guid", "path", "depth", "description"]].sort_values("guid").values.tolist()


def _raw_spans(qde: bytes) -> dict[str, set[tuple[int, int]]]:
    root = etree.fromstring(qde)
    return {s.get("name"): {(int(p.get("startPosition")), int(p.get("endPosition")))
                            for p in s.xpath("q:PlainTextSelection", namespaces=NS)}
            for s in root.xpath("//q:TextSource", namespaces=NS)}


@pytest.fixture(scope="module")
def nvivo_trip(shared, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nvivo")
    original = shared("nvivo12-windows-hungarian.qdpx")
    folder = tmp / "imported"
    first = import_qda(original)
    write_project_folder(first, folder, original.name)  # as import-qda writes it (the command: ATLAS.ti, Taguette)
    corpus, codebook, coding, extras, name = read_project_folder(folder)  # as export-qdpx reads it
    back = export_qdpx(corpus, codebook, coding, tmp / "back.qdpx", name=name, offsets="utf16", extras=extras)
    chars = export_qdpx(corpus, codebook, coding, tmp / "chars.qdpx", name=name, extras=extras)
    return first, back, chars, folder


def test_nvivo_round_trip_keeps_every_segment_the_tree_and_the_users(nvivo_trip, schema_path):
    first, back, _, _ = nvivo_trip
    again = import_qda(back)
    assert len(first.coding) == 303 and _coding(again) == _coding(first)
    assert _tree(again) == _tree(first) and again.codes["depth"].max() == 4
    assert again.users.values.tolist() == first.users.values.tolist()
    assert "floriansipos" in set(again.users["name"])
    for t in first.corpus.transcripts:
        assert again.corpus.text(t.transcript) == t.text  # the header import-qda added is not exported
    with zipfile.ZipFile(back) as zf:
        assert validate_project(zf.read("project.qde"), schema_path) == []


def test_nvivo_offsets_go_back_in_utf16_units_as_nvivo_wrote_them(nvivo_trip, shared):
    first, back, chars, _ = nvivo_trip
    with zipfile.ZipFile(shared("nvivo12-windows-hungarian.qdpx")) as zf:
        written_by_nvivo = _raw_spans(zf.read("project.qde"))
    with zipfile.ZipFile(back) as zf:
        ours = _raw_spans(zf.read("project.qde"))
    with zipfile.ZipFile(chars) as zf:
        in_characters = _raw_spans(zf.read("project.qde"))
    # the three selections NVivo placed off word boundaries are kept as given, so every span comes back
    assert ours["videos_10_selected"] == written_by_nvivo["videos_10_selected"]
    assert len(ours["videos_10_selected"]) == 188
    # counted in characters, most spans after the first emoji would shift (as the issue found: 181 of 188)
    shifted = ours["videos_10_selected"] - in_characters["videos_10_selected"]
    assert len(shifted) == 181


def test_bare_qde_with_its_sources_folder_imports_as_the_qdpx(nvivo_trip, shared, tmp_path):
    with zipfile.ZipFile(shared("nvivo12-windows-hungarian.qdpx")) as zf:
        zf.extractall(tmp_path)
    bare = import_qda(tmp_path / "project.qde")
    packed = nvivo_trip[0]
    assert _coding(bare) == _coding(packed) and len(bare.corpus) == 2


def test_atlas_memos_sets_comments_links_and_hierarchy(shared, tmp_path, capsys, schema_path):
    source = shared("atlasti8-standard-project.qde")
    root = etree.parse(str(source)).getroot()
    back, folder = _round_trip(tmp_path, source)
    err = capsys.readouterr().err
    first, again = import_qda(source), import_qda(back)
    assert _tree(again) == _tree(first)
    assert again.codes.set_index("path").loc["Coke / diet Coke", "depth"] == 2
    assert sorted(again.users["name"]) == sorted(root.xpath("q:Users/q:User/@name", namespaces=NS))
    memos = lambda p: sorted(zip(p.notes.loc[p.notes["kind"] == "note", "name"],  # noqa: E731
                                 p.notes.loc[p.notes["kind"] == "note", "text"]))
    assert memos(again) == memos(first) == sorted(zip(
        root.xpath("q:Notes/q:Note/@name", namespaces=NS),
        root.xpath("q:Notes/q:Note/q:PlainTextContent/text()", namespaces=NS)))  # trailing spaces kept
    # every set comes back; code members all of them (the codes are exported)
    set_names = root.xpath("q:Sets/q:Set/@name", namespaces=NS)
    assert sorted(again.sets["set"].unique()) == sorted(set_names) and len(set_names) == 16
    code_members = lambda p: sorted(map(tuple, p.sets.loc[p.sets["member_kind"] == "code",  # noqa: E731
                                                          ["set", "member_guid"]].values.tolist()))
    assert code_members(again) == code_members(first) and len(code_members(first)) == 19
    # the bare .qde carries no texts: what hangs on them cannot be written, and each is said, never dropped
    assert "comment 'Mabel is not the only person I know who" in err
    assert "link 'Memo-Quotation Relation'" in err and "not written" in err
    assert "set 'gender: male': 1 member(s) not in the export" in err
    assert len(pd.read_csv(folder / "memos.csv")) == 4 and len(pd.read_csv(folder / "links.csv")) == 1
    with zipfile.ZipFile(back) as zf:
        assert validate_project(zf.read("project.qde"), schema_path) == []


def test_taguette_database_round_trip(shared, tmp_path):
    db = shared("taguette-1.5.2-export/project.sqlite3")
    roles = tmp_path / "roles.csv"
    roles.write_text("document,role,site\nMentee01,young person,Testshire\n")
    folder = tmp_path / "tg"
    assert main(["import-qda", str(db), "--roles", str(roles), "--out", str(folder)]) == 0
    assert main(["export-qdpx", "--transcripts", str(folder), "--out", str(tmp_path / "tg.qdpx")]) == 0
    again = import_qda(tmp_path / "tg.qdpx")
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT h.start_offset, h.end_offset, t.path FROM highlights h JOIN highlight_tags ht "
                           "ON ht.highlight_id = h.id JOIN tags t ON t.id = ht.tag_id").fetchall()
    assert sorted(zip(again.coding["start"], again.coding["end"], again.coding["code"])) == sorted(rows)
    assert again.corpus.participants()["role"].tolist() == ["mentee"]


# ------------------------------------------------------------------------------------- a project written here

TEXT_A = "Interviewer: How was it? 🙂\nI felt 😀 really confident in music.\nThen it got hard 🎵 for a while.\n"
TEXT_B = "Moving placement was hard 💬.\nMy mentor kept in touch every week.\n"


def _project_xml(a_guid: str, b_guid: str) -> str:
    def span(text, piece):
        s = text.index(piece)
        return len(text[:s].encode("utf-16-le")) // 2, len(text[:s + len(piece)].encode("utf-16-le")) // 2

    a1, a2 = span(TEXT_A, "really confident in music"), span(TEXT_A, "it got hard 🎵 for a while")
    b1 = span(TEXT_B, "kept in touch every week")
    return f"""
<Users><User guid="00000000-0000-0000-0000-0000000000a1" name="Ana"/>
  <User guid="00000000-0000-0000-0000-0000000000a2" name="Ben"/>
  <User guid="00000000-0000-0000-0000-0000000000a3" name="Cleo (reads only)"/></Users>
<CodeBook><Codes>
  <Code guid="00000000-0000-0000-0000-000000000c01" name="Outcomes" isCodable="false">
    <Code guid="00000000-0000-0000-0000-000000000c02" name="Wellbeing" isCodable="false">
      <Code guid="00000000-0000-0000-0000-000000000c03" name="Confidence" isCodable="true">
        <Description>Feeling able.</Description><NoteRef targetGUID="00000000-0000-0000-0000-0000000000e2"/>
        <Code guid="00000000-0000-0000-0000-000000000c04" name="musical confidence" isCodable="true"/>
      </Code></Code></Code>
  <Code guid="00000000-0000-0000-0000-000000000c05" name="hard times" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000c06" name="keeping in touch" isCodable="true"/>
</Codes></CodeBook>
<Variables><Variable guid="00000000-0000-0000-0000-000000000b01" name="gender" typeOfVariable="Text"/>
  <Variable guid="00000000-0000-0000-0000-000000000b02" name="role" typeOfVariable="Text"/></Variables>
<Cases><Case guid="00000000-0000-0000-0000-000000000ca1" name="Jade (case)">
  <VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-000000000b01"/><TextValue>female</TextValue></VariableValue>
  <VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-000000000b02"/><TextValue>young person</TextValue></VariableValue>
  <SourceRef targetGUID="{a_guid}"/></Case></Cases>
<Sources>
  <TextSource guid="{a_guid}" name="Jade.txt" plainTextPath="internal://{a_guid}.txt">
    <PlainTextSelection guid="00000000-0000-0000-0000-0000000005a1" startPosition="{a1[0]}" endPosition="{a1[1]}"
        creatingUser="00000000-0000-0000-0000-0000000000a1">
      <Coding guid="00000000-0000-0000-0000-0000000006a1" creatingUser="00000000-0000-0000-0000-0000000000a1">
        <CodeRef targetGUID="00000000-0000-0000-0000-000000000c04"/></Coding>
      <Coding guid="00000000-0000-0000-0000-0000000006a2" creatingUser="00000000-0000-0000-0000-0000000000a2">
        <CodeRef targetGUID="00000000-0000-0000-0000-000000000c03"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="00000000-0000-0000-0000-0000000005a2" startPosition="{a2[0]}" endPosition="{a2[1]}"
        creatingUser="00000000-0000-0000-0000-0000000000a1">
      <Description>a comment on the hard bit</Description>
      <Coding guid="00000000-0000-0000-0000-0000000006a3" creatingUser="00000000-0000-0000-0000-0000000000a1">
        <CodeRef targetGUID="00000000-0000-0000-0000-000000000c05"/></Coding>
      <NoteRef targetGUID="00000000-0000-0000-0000-0000000000e3"/></PlainTextSelection>
    <NoteRef targetGUID="00000000-0000-0000-0000-0000000000e1"/>
  </TextSource>
  <TextSource guid="{b_guid}" name="Kai.txt" plainTextPath="internal://{b_guid}.txt">
    <PlainTextSelection guid="00000000-0000-0000-0000-0000000005b1" startPosition="{b1[0]}" endPosition="{b1[1]}"
        creatingUser="00000000-0000-0000-0000-0000000000a2">
      <Coding guid="00000000-0000-0000-0000-0000000006b1" creatingUser="00000000-0000-0000-0000-0000000000a2">
        <CodeRef targetGUID="00000000-0000-0000-0000-000000000c06"/></Coding></PlainTextSelection>
  </TextSource>
</Sources>
<Notes>
  <Note guid="00000000-0000-0000-0000-0000000000e1" name="memo on Jade"><PlainTextContent>Talks fast.</PlainTextContent></Note>
  <Note guid="00000000-0000-0000-0000-0000000000e2" name="memo on confidence"><PlainTextContent>Check with Ben.</PlainTextContent></Note>
  <Note guid="00000000-0000-0000-0000-0000000000e3" name="memo on a quote"><PlainTextContent>Key quote.</PlainTextContent></Note>
  <Note guid="00000000-0000-0000-0000-0000000000e4" name="project memo"><PlainTextContent>SYNTHETIC project.</PlainTextContent></Note>
</Notes>
<Links><Link guid="00000000-0000-0000-0000-0000000000f1" name="supports" direction="OneWay"
  originGUID="00000000-0000-0000-0000-0000000000e4" targetGUID="00000000-0000-0000-0000-0000000005b1"/></Links>
<Sets>
  <Set guid="00000000-0000-0000-0000-0000000000d1" name="role: mentee">
    <MemberSource targetGUID="{a_guid}"/><MemberSource targetGUID="{b_guid}"/></Set>
  <Set guid="00000000-0000-0000-0000-0000000000d2" name="relationship codes"><Description>codes about it</Description>
    <MemberCode targetGUID="00000000-0000-0000-0000-000000000c06"/><MemberCode targetGUID="00000000-0000-0000-0000-000000000c05"/></Set>
</Sets>"""


@pytest.fixture
def handmade(write_qdpx):
    a, b = "00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"
    return write_qdpx(_project_xml(a, b), {f"Sources/{a}.txt": TEXT_A.encode(), f"Sources/{b}.txt": TEXT_B.encode()})


def _extras(project) -> dict:
    notes = project.notes.fillna("")
    return {"notes": sorted(map(tuple, notes[["guid", "kind", "name", "text", "target_kind", "target_guid"]]
                                .values.tolist())),
            "sets": sorted(map(tuple, project.sets[["set_guid", "set", "description", "member_kind", "member_guid"]]
                               .fillna("").values.tolist())),
            "links": project.links[["guid", "name", "direction", "origin_guid", "target_guid"]].values.tolist()}


@pytest.mark.parametrize("offsets", ["utf16", "characters"])
def test_everything_in_a_written_project_comes_back(handmade, tmp_path, offsets, schema_path):
    first = import_qda(handmade)
    assert first.sources["offset_convention"].tolist() == ["utf16", "utf16"]
    assert set(first.corpus.participants()["role"]) == {"mentee"}  # from the document group "role: mentee"
    back, _ = _round_trip(tmp_path, handmade, "--offsets", offsets)
    again = import_qda(back)
    assert _coding(again) == _coding(first) and len(first.coding) == 4
    assert again.coding.loc[again.coding["code"] == "keeping in touch", "quote"].tolist() == [
        "kept in touch every week"]
    assert _tree(again) == _tree(first) and again.codes["depth"].max() == 4
    assert again.users.values.tolist() == first.users.values.tolist()  # Cleo coded nothing and is kept
    assert _extras(again) == _extras(first)
    cases = lambda p: sorted(map(tuple, p.cases[["case", "case_guid", "variable", "value"]]  # noqa: E731
                                 .values.tolist()))
    # the case keeps its GUID and its variables (role as written, since the header's role is the same role)
    assert cases(first) == [("Jade (case)", "00000000-0000-0000-0000-000000000ca1", "gender", "female"),
                            ("Jade (case)", "00000000-0000-0000-0000-000000000ca1", "role", "young person")]
    assert [r for r in cases(again) if r[0] == "Jade (case)"] == cases(first)
    assert len(first.notes) == 5 and len(first.sets) == 4 and len(first.links) == 1
    with zipfile.ZipFile(back) as zf:
        qde = zf.read("project.qde")
    assert validate_project(qde, schema_path) == []
    spans = _raw_spans(qde)["Kai"]
    start = TEXT_B.index("kept")
    expected = (len(TEXT_B[:start].encode("utf-16-le")) // 2 if offsets == "utf16" else start)
    assert min(spans)[0] == expected
    assert again.sources["offset_convention"].tolist() == [offsets] * 2


def test_a_flat_codebook_stays_flat(tmp_path):
    corpus = read_transcripts_with(tmp_path, "Pseudonym: Jade\nRole: mentee\nSite: X\n---\nJade: I feel confident.\n")
    codebook = parse_codebook({"themes": [{"name": "confidence", "definition": "C.", "codes": [
        {"name": "confidence", "definition": "Feeling able."}]}]}, source="test")
    text = corpus.text("one")
    s = text.index("I feel")
    coding = pd.DataFrame([{"transcript": "one", "start": s, "end": len(text) - 1, "segment_id": "",
                            "code": "confidence", "coder": "R", "source": "human", "quote": "", "row": 2}])
    again = import_qda(export_qdpx(corpus, codebook, coding, tmp_path / "flat.qdpx"))
    assert again.codebook.code_names == ["confidence"] and again.codes["path"].tolist() == ["confidence"]
    assert again.coding["code"].tolist() == ["confidence"]


def read_transcripts_with(tmp_path, content: str):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "one.txt").write_text(content)
    return read_transcripts(folder)


def test_analyst_memos_are_exported_and_bad_targets_refused(tmp_path, demo, capsys):
    from cm_research.datasets.transcripts import demo_coding_file, transcripts_dir

    corpus, codebook, coding = demo
    first = corpus.transcripts[0].transcript
    memos = tmp_path / "memos.csv"
    pd.DataFrame([{"target_kind": "transcript", "target": first, "name": "first read", "text": "Very open."},
                  {"target_kind": "code", "target": codebook.code_names[0], "name": "", "text": "Broad code."},
                  {"target_kind": "project", "target": "", "name": "plan", "text": "SYNTHETIC memo."}]).to_csv(
        memos, index=False)
    out = tmp_path / "m.qdpx"
    assert main(["export-qdpx", "--transcripts", str(transcripts_dir()), "--coding", str(demo_coding_file()),
                 "--memos", str(memos), "--out", str(out)]) == 0
    notes = import_qda(out).notes.set_index("text")
    assert notes.loc["Very open.", "target"] == first and notes.loc["Very open.", "target_kind"] == "source"
    assert notes.loc["Broad code.", "target_kind"] == "code" and notes.loc["SYNTHETIC memo.", "target_kind"] == "project"
    bad = tmp_path / "bad.csv"
    pd.DataFrame([{"target_kind": "transcript", "target": "nobody", "text": "x"},
                  {"target_kind": "chapter", "target": "", "text": "y"}]).to_csv(bad, index=False)
    assert main(["export-qdpx", "--transcripts", str(transcripts_dir()), "--coding", str(demo_coding_file()),
                 "--memos", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 2, column `target`: no transcript 'nobody'" in err
    assert "bad.csv, line 3, column `target_kind`" in err


def test_thematic_takes_the_import_folder_as_it_is(shared, tmp_path):
    from cm_research.qual.workflow import run_thematic_analysis

    folder = tmp_path / "tg"
    assert main(["import-qda", str(shared("taguette-1.5.2-export/project.sqlite3")), "--out", str(folder)]) == 0
    header = (folder / "transcripts" / "Mentee01.txt").read_text().split("---\n")[0]
    assert "Role: unknown" in header and "Imported from: Taguette" in header
    assert "1 transcripts have no role recorded" in (folder / "messages.txt").read_text()
    result = run_thematic_analysis(folder / "transcripts", codebook=folder / "codebook.yaml",
                                   coding=folder / "coding.csv")
    assert result.basis == "human coding by admin"
    # the interviewer's lines are the interviewer's; the two highlights sit in the participant's sentences
    coded = result.coded.sort_values("start").drop_duplicates("segment_id")
    assert coded["text"].tolist() == ["It made me feel more confident.",
                                      "Sometimes moving placement meant I missed sessions."]
    assert set(coded["role"]) == {"unknown"} and not coded["is_interviewer"].any()


def test_thematic_command_resolves_an_import_folder(shared, tmp_path, monkeypatch):
    """`thematic --transcripts <import folder>` passes its transcripts, coding and codebook to notebook 03 (the
    notebook itself runs in tests/test_cli.py)."""
    import cm_research.batch as batch

    folder = tmp_path / "tg"
    assert main(["import-qda", str(shared("taguette-1.5.2-export/project.sqlite3")), "--out", str(folder)]) == 0
    seen = {}
    monkeypatch.setattr(batch, "run_notebook", lambda name, out, params: seen.update(params) or Path(out))
    assert main(["thematic", "--transcripts", str(folder), "--output", str(tmp_path / "report")]) == 0
    assert seen["transcripts_dir"] == str((folder / "transcripts").resolve())
    assert seen["coding"] == str((folder / "coding.csv").resolve())
    assert seen["codebook"] == str((folder / "codebook.yaml").resolve())


def test_import_refusals_say_what_to_do(shared, tmp_path, capsys):
    native = tmp_path / "study.nvp"
    native.write_bytes(b"\x00binary")
    assert main(["import-qda", str(native), "--out", str(tmp_path / "a")]) == 2
    assert "study.nvp is NVivo's own project file" in capsys.readouterr().err
    csv = shared("taguette-1.5.2-export/highlights_.csv")
    assert main(["import-qda", str(csv), "--out", str(tmp_path / "a")]) == 2
    assert "import the project database instead" in capsys.readouterr().err
    db = shared("taguette-1.5.2-export/project.sqlite3")
    assert main(["import-qda", str(db), "--out", str(tmp_path / "b")]) == 0
    assert main(["import-qda", str(db), "--out", str(tmp_path / "b")]) == 2
    assert "already holds an import" in capsys.readouterr().err


def test_taguette_codebook_round_trip_keeps_flat_codes(shared, tmp_path):
    from cm_research.interop.qda.read import read_qdc
    from cm_research.interop.qda.write import export_qdc

    first = read_qdc(shared("taguette-1.5.2-export/codebook.qdc"))
    again = read_qdc(export_qdc(first, tmp_path / "back.qdc"))
    assert again.code_names == first.code_names == ["interesting", "confidence", "placement instability"]
    assert [t.name for t in again.themes] == [t.name for t in first.themes]
