"""Offsets of hand-made SYNTHETIC .qdpx files: byte-order mark, CRLF, UTF-16 code units, misaligned and
out-of-range selections, lower-case ``sources/``, inline text, non-text sources, case variables, bad files.

The text is ``I felt safe there.\\r\\nIt helped 😀 a lot.\\r\\nThe end.\\r\\n``. Worked by hand, in Python
characters (CRLF = 2, the emoji = 1): "safe" is 7..11, "a lot" 32..37, "The end" 40..47. Counted as UTF-16
units the emoji is 2, so "a lot" is 33..38 and "The end" 41..48; counting the BOM adds 1 to every offset;
counting CRLF as one character takes 1 off after the first line end and 2 after the second.
"""

from __future__ import annotations

import pytest

from cm_research.interop.qda.read import QdaImportError, import_qda

TEXT = "I felt safe there.\r\nIt helped \U0001F600 a lot.\r\nThe end.\r\n"
WANTED = ["safe", "a lot", "The end"]
G = "00000000-0000-4000-8000-{:012d}".format


def _selection(n: int, start: int, end: int, code: int = 1, user: int = 91) -> str:
    return (f'<PlainTextSelection guid="{G(100 + n)}" name="" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{G(200 + n)}" creatingUser="{G(user)}"><CodeRef targetGUID="{G(code)}"/></Coding>'
            "</PlainTextSelection>")


def _project(spans: list[tuple[int, int]], extra_sources: str = "", cases: str = "") -> str:
    selections = "".join(_selection(i, s, e, code=1 + i % 2, user=91 + i % 2) for i, (s, e) in enumerate(spans))
    return (f'<Users><User guid="{G(91)}" name="Coder A"/><User guid="{G(92)}" name="Coder B"/></Users>'
            f'<CodeBook><Codes><Code guid="{G(10)}" name="Feelings" isCodable="false">'
            f'<Description>How it felt</Description>'
            f'<Code guid="{G(1)}" name="safety" isCodable="true"/><Code guid="{G(2)}" name="joy" isCodable="true"/>'
            "</Code></Codes></CodeBook>"
            f'<Variables><Variable guid="{G(81)}" name="Role" typeOfVariable="Text"/>'
            f'<Variable guid="{G(82)}" name="Site" typeOfVariable="Text"/></Variables>'
            f"{cases}<Sources>"
            f'<TextSource guid="{G(50)}" name="interview.txt" plainTextPath="internal://{G(50)}.txt">'
            f"{selections}</TextSource>{extra_sources}</Sources>")


CASE = (f'<Cases><Case guid="{G(70)}" name="carer 1">'
        f'<VariableValue><VariableRef targetGUID="{G(81)}"/><TextValue>Foster carer</TextValue></VariableValue>'
        f'<VariableValue><VariableRef targetGUID="{G(82)}"/><TextValue>Northshire</TextValue></VariableValue>'
        f'<SourceRef targetGUID="{G(50)}"/></Case></Cases>')


@pytest.mark.parametrize("convention, encoded, spans", [
    ("characters", TEXT.encode("utf-8"), [(7, 11), (32, 37), (40, 47)]),
    ("utf16", b"\xef\xbb\xbf" + TEXT.encode("utf-8"), [(7, 11), (33, 38), (41, 48)]),
    ("characters+bom", b"\xef\xbb\xbf" + TEXT.encode("utf-8"), [(8, 12), (33, 38), (41, 48)]),
    ("utf16+bom", b"\xef\xbb\xbf" + TEXT.encode("utf-8"), [(8, 12), (34, 39), (42, 49)]),
    ("characters, CRLF as one", TEXT.encode("utf-8"), [(7, 11), (31, 36), (38, 45)]),
    ("characters", TEXT.encode("utf-16"), [(7, 11), (32, 37), (40, 47)]),
])
def test_offset_conventions_resolve_to_the_same_words(write_qdpx, convention, encoded, spans):
    path = write_qdpx(_project(spans, cases=CASE), {f"sources/{G(50)}.txt": encoded})
    project = import_qda(path)
    assert project.sources.loc[0, "offset_convention"] == convention
    assert project.selections["text"].tolist() == WANTED
    assert (project.selections["status"] == "aligned").all()
    text = project.corpus.text("interview")
    assert text == TEXT  # BOM removed, CRLF kept: offsets point into the text as read
    assert [text[s:e] for s, e in zip(project.coding["start"], project.coding["end"])] == WANTED
    assert project.coding["coder"].tolist() == ["Coder A", "Coder B", "Coder A"]
    assert project.coding["code"].tolist() == ["safety", "joy", "safety"]


def test_misaligned_and_outside_selections_are_reported_with_examples(write_qdpx):
    spans = [(7, 11), (33, 38), (41, 48), (3, 5), (100, 120)]  # UTF-16 units; "el" cuts "felt"; 100.. is past the end
    path = write_qdpx(_project(spans, cases=CASE), {f"Sources/{G(50)}.txt": TEXT.encode("utf-8")})
    project = import_qda(path)
    assert project.selections["status"].tolist() == ["aligned", "aligned", "aligned", "misaligned", "outside"]
    report = project.offset_report().iloc[0]
    assert (report["n_selections"], report["n_aligned"], report["n_misaligned"], report["n_outside"]) == (5, 3, 1, 1)
    assert "3..5 'el'" in report["examples"] and "100..120" in report["examples"]
    message = next(m for m in project.messages if "do not line up" in m)
    assert "1 of 5 selections" in message and "1 fall outside" in message and "3..5 'el'" in message
    # the misaligned selection is kept where the tool put it; the one outside the text cannot be placed
    assert len(project.coding) == 4
    assert "el" in project.coding["quote"].tolist()


def test_case_variables_give_role_and_site(write_qdpx):
    path = write_qdpx(_project([(7, 11)], cases=CASE), {f"Sources/{G(50)}.txt": TEXT.encode("utf-8")})
    project = import_qda(path)
    t = project.corpus["interview"]
    assert (t.role, t.site, t.pseudonym) == ("carer", "Northshire", "carer 1")
    assert project.cases[["case", "variable", "value", "transcript"]].values.tolist() == [
        ["carer 1", "Role", "Foster carer", "interview"], ["carer 1", "Site", "Northshire", "interview"]]
    assert project.codebook.themes[0].name == "Feelings" and project.codebook.code_names == ["safety", "joy"]
    assert project.codebook.themes[0].definition == "How it felt"


def test_inline_text_non_text_sources_and_unknown_codes(write_qdpx):
    extra = (f'<TextSource guid="{G(51)}" name="notes"><PlainTextContent>Short inline note here.</PlainTextContent>'
             f'{_selection(9, 6, 12)}'
             f'<PlainTextSelection guid="{G(120)}" startPosition="0" endPosition="5">'
             f'<Coding guid="{G(121)}"><CodeRef targetGUID="{G(999)}"/></Coding></PlainTextSelection></TextSource>'
             f'<PDFSource guid="{G(52)}" name="leaflet.pdf" path="internal://{G(52)}.pdf"/>'
             f'<AudioSource guid="{G(53)}" name="interview.m4a" path="relative:///x.m4a"/>'
             f'<TextSource guid="{G(54)}" name="lost.txt" plainTextPath="internal://{G(54)}.txt">'
             f'{_selection(8, 0, 4)}</TextSource>')
    path = write_qdpx(_project([(7, 11)], extra_sources=extra), {f"Sources/{G(50)}.txt": TEXT.encode("utf-8")})
    project = import_qda(path)
    assert project.corpus.text("notes") == "Short inline note here."
    assert project.corpus["notes"].role == "unknown"
    status = project.sources.set_index("name")["status"].to_dict()
    assert status == {"interview.txt": "imported", "notes": "imported", "leaflet.pdf": "skipped",
                      "interview.m4a": "skipped", "lost.txt": "no_text"}
    assert any("PDF source 'leaflet.pdf' skipped" in m for m in project.messages)
    assert any("audio source 'interview.m4a' skipped" in m for m in project.messages)
    assert any("'lost.txt'" in m and "not found" in m for m in project.messages)
    assert any(G(999) in m and "not in the codebook" in m for m in project.messages)
    assert project.coding.loc[project.coding["transcript"] == "notes", "quote"].tolist() == ["inline"]
    assert set(project.corpus.skipped["file"]) == {"leaflet.pdf", "interview.m4a", "lost.txt"}


def test_files_that_are_not_projects_are_refused_naming_the_file(tmp_path, write_qdpx):
    not_xml = tmp_path / "broken.qde"
    not_xml.write_text("<Project><Unclosed></Project>", encoding="utf-8")
    with pytest.raises(QdaImportError, match=r"broken\.qde, line 1: not well-formed XML"):
        import_qda(not_xml)
    import zipfile

    empty_zip = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(QdaImportError, match=r"empty\.qdpx: the zip holds no project\.qde"):
        import_qda(empty_zip)


def test_write_tables_lists_everything_found(write_qdpx, tmp_path):
    import pandas as pd

    spans = [(7, 11), (33, 38), (41, 48), (3, 5), (100, 120)]
    project = import_qda(write_qdpx(_project(spans, cases=CASE), {f"Sources/{G(50)}.txt": TEXT.encode("utf-8")}))
    paths = project.write_tables(tmp_path / "out")
    assert {"coding", "codes", "sources", "selections", "cases", "participants", "offset_report", "messages",
            "codebook_csv"} <= set(paths)
    selections = pd.read_csv(paths["selections"])
    assert selections["status"].tolist() == ["aligned", "aligned", "aligned", "misaligned", "outside"]
    assert len(pd.read_csv(paths["coding"])) == 4
    assert "do not line up" in paths["messages"].read_text(encoding="utf-8")
    participants = pd.read_csv(paths["participants"])
    assert "participant" not in participants.columns and participants["role"].tolist() == ["carer"]


def test_a_project_that_fails_to_import_closes_its_archive(tmp_path, monkeypatch):
    import zipfile

    from cm_research.interop.qda.read import QdaImportError, import_qda

    path = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", "<Project><not closed")  # not XML: the import fails after opening the zip
    closed = []
    original = zipfile.ZipFile.close
    monkeypatch.setattr(zipfile.ZipFile, "close", lambda self: (closed.append(self.filename), original(self)))
    with pytest.raises(QdaImportError) as caught:
        import_qda(path)
    # the traceback keeps import_qda's frame, and so the archive, alive: only an explicit close() counts here
    assert str(path) in closed and caught.tb is not None
