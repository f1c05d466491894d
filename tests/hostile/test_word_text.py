"""Words of a Word interview that python-docx does not see (hostile input, round 4, item 2): text typed with Track
Changes on (inside ``w:ins``), paragraphs inside a content control (``w:sdt``), smart tags and fields were
silently left out of the transcript, so a quote or a code could miss what was said. Deleted text stays out, and
a paragraph's tab stops are no tabs. SYNTHETIC text.
"""

from __future__ import annotations

import zipfile

import docx

from cm_research.qual.word_docx import docx_lines

INSERTED = ('<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t xml:space="preserve"> and I '
            'felt safe</w:t></w:r></w:ins><w:del w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r>'
            '<w:delText> never</w:delText></w:r></w:del>')
BLOCKS = ('<w:sdt><w:sdtContent><w:p><w:r><w:t>Kai: said inside a content control.</w:t></w:r></w:p></w:sdtContent>'
          '</w:sdt><w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t xml:space='
          '"preserve">Kai: </w:t></w:r><w:smartTag w:uri="u" w:element="e"><w:r><w:t>smart</w:t></w:r></w:smartTag>'
          '<w:fldSimple w:instr="QUOTE x"><w:r><w:t xml:space="preserve"> field</w:t></w:r></w:fldSimple></w:p>')


def test_tracked_insertions_content_controls_smart_tags_and_fields_are_read(tmp_path):
    path = tmp_path / "kai.docx"
    document = docx.Document()
    for text in ["Pseudonym: Kai", "Role: mentee", "Site: Testshire", "---", "Kai: It was good"]:
        document.add_paragraph(text)
    document.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    xml = xml.replace("It was good</w:t></w:r>", "It was good</w:t></w:r>" + INSERTED, 1)
    parts["word/document.xml"] = xml.replace("<w:sectPr", BLOCKS + "<w:sectPr", 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    lines = docx_lines(path)
    assert [line for line, _ in lines[4:]] == ["Kai: It was good and I felt safe",
                                               "Kai: said inside a content control.", "Kai: smart field"]
    assert [where for _, where in lines[4:]] == ["paragraph 5", "paragraph 6", "paragraph 7"]
