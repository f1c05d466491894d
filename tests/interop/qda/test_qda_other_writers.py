"""What other REFI-QDA writers put in a project besides what the schema's own examples show, built by hand here:

* a text source carried only as a Word file (``richTextPath`` to a .docx, no ``plainTextPath`` and no
  ``PlainTextContent``), as the schema allows: its text is the document's paragraphs, one a line, and each
  selection is placed there. Writers end the lines of that plain text with LF or CRLF, so the positions here are
  counted both ways by hand (``str.index`` on the text each writer would hold);
* code colours in notations other than the schema's ``#RRGGBB``;
* an ATLAS.ti codebook (.qdc) whose code names carry their group path (``Support::trust``).

SYNTHETIC text."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from cm_research.interop.qda.read import import_qda

PARAGRAPHS = ["SYNTHETIC interview.", "Mentee: I felt safe with my mentor.", "Mentee: School got easier."]


def G(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _project(tmp_path, line_end: str, word_file: bytes | None = None):
    text = line_end.join(PARAGRAPHS)  # the plain text the writer counted in
    selections = "".join(
        f'<PlainTextSelection guid="{G(100 + k)}" name="{words}" startPosition="{text.index(words)}" '
        f'endPosition="{text.index(words) + len(words)}" creatingUser="{G(1)}"><Coding guid="{G(600 + k)}" '
        f'creatingUser="{G(1)}"><CodeRef targetGUID="{G(10)}"/></Coding></PlainTextSelection>'
        for k, words in enumerate(["felt safe", "School got easier"]))
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           f'<Users><User guid="{G(1)}" name="Ana"/></Users><CodeBook><Codes><Code guid="{G(10)}" name="Trust" '
           f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{G(40)}" name="Jade.docx" '
           f'richTextPath="internal://{G(40)}.docx">{selections}</TextSource></Sources></Project>')
    if word_file is None:
        document = docx.Document()
        for paragraph in PARAGRAPHS:
            document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        word_file = buffer.getvalue()
    path = tmp_path / f"project_{len(line_end)}.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
        z.writestr(f"Sources/{G(40)}.docx", word_file)
    return import_qda(path)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_word_only_source_is_read_and_every_selection_placed(tmp_path, line_end):
    project = _project(tmp_path, line_end)
    assert project.coding[["transcript", "quote", "code", "coder"]].values.tolist() == [
        ["Jade", "felt safe", "Trust", "Ana"], ["Jade", "School got easier", "Trust", "Ana"]]
    assert set(project.selections["status"]) == {"aligned"}
    assert any("taken from its Word file" in m for m in project.messages)


def test_a_damaged_word_source_is_listed_with_its_selections(tmp_path):
    project = _project(tmp_path, "\n", word_file=b"PK\x03\x04 not really a Word file")
    assert project.sources[["status", "n_selections"]].values.tolist() == [["no_text", 2]]
    assert "not a readable Word file" in project.sources["message"].iloc[0]
    assert project.coding.empty and project.selections["status"].tolist() == ["no_text", "no_text"]


def test_code_colours_in_other_notations_are_converted_and_said(tmp_path):
    """The schema's colour is ``#RRGGBB`` (or ``#RGB``); other writers put alpha first (``#AARRGGBB``), leave
    out the ``#``, or write ``rgb(r, g, b)``. Expected values converted by hand (51 = 0x33, 102 = 0x66)."""
    colours = {"A": "#FF336699", "B": "336699", "C": "rgb(51, 102, 153)", "D": "#336699", "E": "teal"}
    codes = "".join(f'<Code guid="{G(10 + k)}" name="{name}" isCodable="true" color="{colour}"/>'
                    for k, (name, colour) in enumerate(colours.items()))
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           f'<CodeBook><Codes>{codes}</Codes></CodeBook></Project>')
    path = tmp_path / "colours.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
    project = import_qda(path)
    assert dict(zip(project.codes["code"], project.codes["color"])) == {
        "A": "#336699", "B": "#336699", "C": "#336699", "D": "#336699", "E": ""}
    said = [m for m in project.messages if "colour" in m]
    assert said == ["colours.qdpx: code 'A' has the colour '#FF336699', read as #336699",
                    "colours.qdpx: code 'B' has the colour '336699', read as #336699",
                    "colours.qdpx: code 'C' has the colour 'rgb(51, 102, 153)', read as #336699",
                    "colours.qdpx: code 'E' has the colour 'teal', which is no colour the standard knows; left out"]


def test_atlas_ti_codebook_qdc_nests_double_colon_names_as_the_project_import_does(tmp_path):
    """ATLAS.ti writes a code group path into the code's name ("Support::trust"); a codebook exported alone (.qdc,
    namespace urn:QDA-XML:codebook:1.0) gives the same tree as the project import: theme Support, code trust."""
    from cm_research.interop.qda.read import read_qdc

    codes = "".join(f'<Code guid="{G(k)}" name="{name}" isCodable="true"/>'
                    for k, name in enumerate(["Support", "Support::trust", "Barriers::moving"], start=1))
    path = tmp_path / "codebook.qdc"
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
                    f'origin="ATLAS.ti"><Codes>{codes}</Codes></CodeBook>')
    codebook = read_qdc(path)
    assert [(t.name, [c.name for c in t.codes]) for t in codebook.themes] == [("Support", ["trust"]),
                                                                              ("Barriers", ["moving"])]
