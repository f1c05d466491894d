"""The general case of the REFI-QDA Project schema 1.0: a conforming project may carry far more than our own
export writes. The projects here are written by hand from the XSD (element order, required attributes, types),
not from cm_research's exporter, and checked against the XSD itself when ../shared/interop holds it; the import
runs everywhere. For each thing the schema allows the import either supports it (tested) or lists it with a
plain-English message naming the element: never a crash, never a silent loss.

Offsets: REFI-QDA counts Unicode code points. The texts hold an emoji (one code point, two UTF-16 units, four
UTF-8 bytes) and accents written as a base letter plus U+0301 COMBINING ACUTE ACCENT (two code points), and the
expected positions are found with ``str.index`` on the text, independently of the importer. All text SYNTHETIC.
"""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from cm_research.interop.qda.read import import_qda
from .conftest import SCHEMA

NS = {"q": "urn:QDA-XML:project:1.0"}
ACUTE = "\u0301"


def G(n: int) -> str:
    """A GUID of the schema's pattern, numbered."""
    return f"00000000-0000-4000-8000-{n:012d}"


def conforming(xml: bytes) -> bytes:
    """``xml``, after checking it against the REFI-QDA XSD when ../shared/interop holds it (the projects here must
    be ones a conforming program could write)."""
    if SCHEMA.exists():
        schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
        assert schema.validate(etree.fromstring(xml)), [f"line {e.line}: {e.message}" for e in schema.error_log]
    return xml


# the texts: T1 has an emoji and decomposed accents (UTF-8), T2 is UTF-16 LE with a BOM, PDF1 is the text
# representation of a PDF
T1 = ("SYNTHETIC interview.\nMentee: I felt safe \U0001F600 with my mentor.\n"
      f"Mentee: We made a re{ACUTE}sume{ACUTE} together and it helped.\n")
T2 = "SYNTHETIC interview.\r\nCarer: She trusts him now.\r\n"
T3 = "SYNTHETIC note typed into the project: school attendance went up."
PDF1 = "SYNTHETIC report. Mentoring sessions were weekly."
TRANSCRIPT = "SYNTHETIC audio transcript. Mentor: we met at the library."


def _sel(n: int, text: str, words: str, code: int, user: int | None = 1, inner: str = "") -> str:
    start = text.index(words)
    who = f' creatingUser="{G(user)}"' if user else ""
    return (f'<PlainTextSelection guid="{G(n)}" name="{words}" startPosition="{start}" '
            f'endPosition="{start + len(words)}"{who}>{inner}'
            f'<Coding guid="{G(n + 500)}"{who}><CodeRef targetGUID="{G(code)}"/></Coding></PlainTextSelection>')


def _kitchen_sink() -> bytes:
    resume = f"re{ACUTE}sume{ACUTE}"
    body = f"""
<Users><User guid="{G(1)}" name="Ana"/><User guid="{G(2)}" name="Ben" id="b2"/></Users>
<CodeBook><Codes>
  <Code guid="{G(10)}" name="Support" isCodable="false" color="#336699"><Description>Who helps</Description>
    <NoteRef targetGUID="{G(90)}"/>
    <Code guid="{G(11)}" name="Trust" isCodable="true" color="#0F0">
      <Code guid="{G(12)}" name="Early trust" isCodable="true"/>
    </Code>
  </Code>
  <Code guid="{G(13)}" name="Barriers" isCodable="true"/>
</Codes></CodeBook>
<Variables>
  <Variable guid="{G(20)}" name="role" typeOfVariable="Text"/>
  <Variable guid="{G(21)}" name="age" typeOfVariable="Integer"/>
  <Variable guid="{G(22)}" name="in_care" typeOfVariable="Boolean"/>
  <Variable guid="{G(23)}" name="started" typeOfVariable="Date"/>
  <Variable guid="{G(24)}" name="score" typeOfVariable="Float"><Description>SWEMWBS</Description></Variable>
  <Variable guid="{G(25)}" name="interviewed_at" typeOfVariable="DateTime"/>
</Variables>
<Cases>
  <Case guid="{G(30)}" name="YP1"><Description>first young person</Description>
    <CodeRef targetGUID="{G(13)}"/>
    <VariableValue><VariableRef targetGUID="{G(20)}"/><TextValue>mentee</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="{G(21)}"/><IntegerValue>14</IntegerValue></VariableValue>
    <VariableValue><VariableRef targetGUID="{G(22)}"/><BooleanValue>true</BooleanValue></VariableValue>
    <VariableValue><VariableRef targetGUID="{G(23)}"/><DateValue>2024-01-31</DateValue></VariableValue>
    <VariableValue><VariableRef targetGUID="{G(24)}"/><FloatValue>3.5</FloatValue></VariableValue>
    <VariableValue><VariableRef targetGUID="{G(25)}"/><DateTimeValue>2024-02-01T10:00:00Z</DateTimeValue></VariableValue>
    <SourceRef targetGUID="{G(40)}"/>
    <SelectionRef targetGUID="{G(101)}"/>
  </Case>
  <Case guid="{G(31)}" name="Carer of YP1"><SourceRef targetGUID="{G(41)}"/></Case>
</Cases>
<Sources>
  <TextSource guid="{G(40)}" name="T1.txt" plainTextPath="internal://t1.txt">
    {_sel(101, T1, "safe", 11)}
    {_sel(102, T1, "mentor", 12, user=2)}
    {_sel(103, T1, resume, 13, inner="<Description>a comment</Description>")}
    {_sel(104, T1, "together", 99)}
    {_sel(115, T1, "felt", 10)}
  </TextSource>
  <TextSource guid="{G(41)}" name="T2.txt" plainTextPath="internal://t2.txt">
    {_sel(105, T2, "trusts him", 11)}
  </TextSource>
  <TextSource guid="{G(42)}" name="T3"><Description>typed in</Description><PlainTextContent>{T3}</PlainTextContent>
    <Coding guid="{G(106)}" creatingUser="{G(2)}"><CodeRef targetGUID="{G(13)}"/></Coding>
    <VariableValue><VariableRef targetGUID="{G(29)}"/><TextValue>not defined</TextValue></VariableValue>
  </TextSource>
  <TextSource guid="{G(43)}" name="T4.txt" plainTextPath="relative://../outside.txt">
    <PlainTextSelection guid="{G(107)}" startPosition="0" endPosition="4"><Coding guid="{G(607)}"><CodeRef targetGUID="{G(13)}"/></Coding></PlainTextSelection>
  </TextSource>
  <TextSource guid="{G(44)}" name="T5.txt" plainTextPath="absolute:///etc/hostname"/>
  <PDFSource guid="{G(45)}" name="Report.pdf" path="internal://report.pdf">
    <PDFSelection guid="{G(108)}" page="0" firstX="1" firstY="2" secondX="30" secondY="40">
      <Representation guid="{G(109)}" name="region text"><PlainTextContent>weekly</PlainTextContent></Representation>
      <Coding guid="{G(608)}"><CodeRef targetGUID="{G(13)}"/></Coding>
    </PDFSelection>
    <Representation guid="{G(46)}" name="Representation of Report.pdf" plainTextPath="internal://pdf1.txt">
      {_sel(110, PDF1, "weekly", 11)}
    </Representation>
    <VariableValue><VariableRef targetGUID="{G(20)}"/><TextValue>mentor</TextValue></VariableValue>
  </PDFSource>
  <PictureSource guid="{G(47)}" name="Drawing.png" path="internal://drawing.png">
    <TextDescription guid="{G(48)}" name="alt"><PlainTextContent>a house</PlainTextContent></TextDescription>
    <PictureSelection guid="{G(111)}" firstX="0" firstY="0" secondX="5" secondY="5">
      <Coding guid="{G(611)}"><CodeRef targetGUID="{G(11)}"/></Coding></PictureSelection>
  </PictureSource>
  <AudioSource guid="{G(49)}" name="Interview.m4a" path="relative://interview.m4a">
    <Transcript guid="{G(50)}" name="Interview transcript"><PlainTextContent>{TRANSCRIPT}</PlainTextContent>
      <SyncPoint guid="{G(51)}" position="{TRANSCRIPT.index("we met")}" timeStamp="0"/>
      <SyncPoint guid="{G(52)}" position="{TRANSCRIPT.index("we met") + len("we met at the library")}" timeStamp="4000"/>
      <TranscriptSelection guid="{G(112)}" name="met" fromSyncPoint="{G(51)}" toSyncPoint="{G(52)}" creatingUser="{G(2)}">
        <Coding guid="{G(612)}"><CodeRef targetGUID="{G(11)}"/></Coding></TranscriptSelection>
      <TranscriptSelection guid="{G(117)}" name="unsynced" fromSyncPoint="{G(51)}">
        <Coding guid="{G(617)}"><CodeRef targetGUID="{G(13)}"/></Coding></TranscriptSelection>
    </Transcript>
    <AudioSelection guid="{G(113)}" begin="0" end="4000"><Coding guid="{G(613)}"><CodeRef targetGUID="{G(13)}"/></Coding></AudioSelection>
  </AudioSource>
  <VideoSource guid="{G(53)}" name="Session.mp4" path="absolute:///videos/session.mp4">
    <VideoSelection guid="{G(114)}" begin="10" end="20"/>
  </VideoSource>
</Sources>
<Notes>
  <Note guid="{G(90)}" name="On support" creatingUser="{G(1)}"><PlainTextContent>Support means more than help.</PlainTextContent></Note>
  <Note guid="{G(91)}" name="Research plan"><PlainTextContent>Interview three roles.</PlainTextContent>
    {_sel(116, "Interview three roles.", "three roles", 13)}</Note>
</Notes>
<Links><Link guid="{G(95)}" name="memo to quote" direction="OneWay" color="#000000" originGUID="{G(90)}" targetGUID="{G(101)}"/></Links>
<Sets>
  <Set guid="{G(96)}" name="role: mentee"><Description>documents of mentees</Description><MemberCode targetGUID="{G(11)}"/>
    <MemberSource targetGUID="{G(40)}"/><MemberNote targetGUID="{G(91)}"/></Set>
  <Set guid="{G(97)}" name="empty group"/>
</Sets>
<Graphs><Graph guid="{G(98)}" name="network"><Vertex guid="{G(99)}" representedGUID="{G(10)}" firstX="1" firstY="1"/></Graph></Graphs>
<Description>SYNTHETIC project written from the XSD</Description>
"""
    return conforming(('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
                       f'name="SYNTHETIC general case" origin="written by hand from the XSD">{body}</Project>\n'
                       ).encode("utf-8"))


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    path = tmp_path_factory.mktemp("general") / "general.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", _kitchen_sink())
        zf.writestr("sources/t1.txt", T1.encode("utf-8"))  # lower-case folder, as some writers do
        zf.writestr("Sources/t2.txt", T2.encode("utf-16"))  # UTF-16 with its byte-order mark
        zf.writestr("Sources/pdf1.txt", b"\xef\xbb\xbf" + PDF1.encode("utf-8"))  # UTF-8 with a BOM
        zf.writestr("Sources/report.pdf", b"%PDF-1.4 not read")
    return import_qda(path), path


def test_nested_codes_colours_and_codability(sink):
    project, _ = sink
    codes = project.codes.set_index("guid")
    assert codes.loc[G(12), ["path", "depth", "parent"]].tolist() == ["Support / Trust / Early trust", 3,
                                                                      "Support / Trust"]
    assert codes["color"].to_dict() == {G(10): "#336699", G(11): "#0F0", G(12): "", G(13): ""}
    assert codes["is_codable"].to_dict() == {G(10): False, G(11): True, G(12): True, G(13): True}
    assert codes.loc[G(10), "description"] == "Who helps"
    # a coding on a code the project marks not codable is imported, and said
    assert "1 codings carry code 'Support', which the project marks isCodable=\"false\"; imported as coded" in \
        project.messages


def test_text_offsets_count_code_points_with_emoji_and_combining_accents(sink):
    project, _ = sink
    t1 = project.sources.set_index("guid").loc[G(40)]
    assert t1["offset_convention"] == "characters" and project.corpus.text("T1") == T1
    coding = project.coding[project.coding["transcript"] == "T1"].sort_values("start")
    resume = f"re{ACUTE}sume{ACUTE}"
    expected = [(T1.index(w), T1.index(w) + len(w), w, code, coder) for w, code, coder in
                (("felt", "Support", "Ana"), ("safe", "Trust", "Ana"), ("mentor", "Early trust", "Ben"),
                 (resume, "Barriers", "Ana"))]
    assert list(coding[["start", "end", "quote", "code", "coder"]].itertuples(index=False, name=None)) == expected
    # the emoji is one code point: "mentor" starts 1 after where UTF-16 units would put it
    assert T1.index("mentor") + 1 == len(T1[:T1.index("mentor")].encode("utf-16-le")) // 2
    assert len(resume) == 8  # each accent is its own code point, counted


def test_utf16_source_with_a_bom_and_inline_text(sink):
    project, _ = sink
    assert project.corpus.text("T2") == T2  # decoded from UTF-16, BOM removed, CRLF kept
    row = project.coding[project.coding["transcript"] == "T2"].iloc[0]
    assert (row["quote"], row["code"], row["start"]) == ("trusts him", "Trust", T2.index("trusts him"))
    whole = project.coding[project.coding["transcript"] == "T3"].iloc[0]
    assert (whole["start"], whole["end"], whole["code"], whole["coder"]) == (0, len(T3), "Barriers", "Ben")


def test_code_referred_to_but_not_defined_is_reported(sink):
    project, _ = sink
    assert "together" not in set(project.coding["quote"])
    assert any(f"refers to code '{G(99)}', which is not in the codebook" in m for m in project.messages)
    # the selection itself is still listed
    assert "together" in set(project.selections["name"])


def test_sources_outside_the_archive_are_not_read_and_say_so(sink):
    project, _ = sink
    sources = project.sources.set_index("guid")
    for guid in (G(43), G(44)):
        assert sources.loc[guid, "status"] == "no_text"
        assert "outside the project archive" in sources.loc[guid, "message"]
    listed = project.selections[project.selections["guid"] == G(107)]
    assert listed["status"].tolist() == ["no_text"] and listed["n_codings"].tolist() == [1]


def test_pdf_text_representation_is_imported_its_regions_counted(sink):
    project, _ = sink
    pdf = project.sources.set_index("guid").loc[G(45)]
    assert (pdf["kind"], pdf["status"], pdf["transcript"]) == ("PDF text", "imported", "Report")
    assert project.corpus["Report"].role == "mentor"  # a variable of the PDF source reaches its text
    row = project.coding[project.coding["transcript"] == "Report"].iloc[0]
    assert (row["quote"], row["code"]) == ("weekly", "Trust") and project.corpus.text("Report") == PDF1
    assert any("PDF source 'Report.pdf'" in m and "1 regions drawn on its pages (1 codings)" in m
               for m in project.messages)


def test_picture_audio_video_are_listed_with_what_they_carry(sink):
    project, _ = sink
    sources = project.sources.set_index("guid")
    assert sources.loc[[G(47), G(49), G(53)], "kind"].tolist() == ["picture", "audio", "video"]
    assert (sources.loc[[G(47), G(49), G(53)], "status"] == "skipped").all()
    picture, audio, video = sources.loc[[G(47), G(49), G(53)], "message"]
    assert "(1 codings on it not imported)" in picture and "its text description is not imported" in picture
    assert "(1 codings on it not imported)" in audio and "its 1 transcript(s) are read as text sources" in audio
    # the transcript is a text: its synchronised selection is placed from one sync point's position to the other's
    assert sources.loc[G(50), ["kind", "status"]].tolist() == ["audio transcript", "imported"]
    row = project.coding[project.coding["transcript"] == "Interview transcript"]
    assert row[["quote", "code", "coder", "start"]].values.tolist() == [
        ["we met at the library", "Trust", "Ben", TRANSCRIPT.index("we met")]]
    assert ("transcript 'Interview transcript' of 'Interview.m4a': selection 'unsynced' has no sync point with a "
            "position at its start or end; its 1 codings are not imported") in project.messages
    assert "codings" not in video and "skipped" in video
    assert len(project.corpus.skipped) == 5  # T4, T5, picture, audio, video


def test_cases_variables_of_every_type_and_a_case_without_variables(sink):
    project, _ = sink
    cases = project.cases
    yp1 = dict(zip(cases.loc[cases["case"] == "YP1", "variable"], cases.loc[cases["case"] == "YP1", "value"]))
    assert yp1 == {"role": "mentee", "age": "14", "in_care": "true", "started": "2024-01-31", "score": "3.5",
                   "interviewed_at": "2024-02-01T10:00:00Z"}
    carer = cases[cases["case"] == "Carer of YP1"]
    assert carer[["variable", "value", "transcript"]].values.tolist() == [["", "", "T2"]]
    assert project.corpus["T1"].role == "mentee"
    assert any("case 'YP1': 1 selection reference(s) and 1 code reference(s) not imported" in m
               for m in project.messages)
    assert any(f"source 'T3': a variable value refers to variable '{G(29)}'" in m for m in project.messages)


def test_notes_sets_links_graphs_and_descriptions(sink):
    project, _ = sink
    notes = project.notes
    on_code = notes[notes["name"] == "On support"].iloc[0]
    assert (on_code["target_kind"], on_code["target"], on_code["creating_user"]) == ("code", "Support", "Ana")
    assert notes.loc[notes["name"] == "Research plan", "target_kind"].tolist() == ["project"]
    assert ("note 'Research plan': 1 selections and 1 codings inside the note are not imported (the note's text "
            "is, in memos.csv)") in project.messages
    assert ("comment", "a comment") in set(zip(notes["kind"], notes["text"]))
    assert ("description", "SYNTHETIC project written from the XSD") in set(zip(notes["kind"], notes["text"]))
    assert ("description", "typed in") in set(zip(notes["kind"], notes["text"]))
    sets = project.sets
    assert sorted(sets.loc[sets["set"] == "role: mentee", "member_kind"]) == ["code", "note", "source"]
    assert sets.loc[sets["set"] == "empty group", "member_guid"].tolist() == [""]
    assert project.links[["origin", "target"]].values.tolist() == [["On support", f"T1 {T1.index('safe')}.."
                                                                    f"{T1.index('safe') + 4}"]]
    assert any(m.startswith("1 graph ") for m in project.messages)


def test_round_trip_of_the_general_project_validates_and_keeps_codes_and_codings(sink, tmp_path):
    from cm_research.cli import main

    project, path = sink
    folder, out = tmp_path / "imported", tmp_path / "back.qdpx"
    assert main(["import-qda", str(path), "--out", str(folder)]) == 0
    assert main(["export-qdpx", "--transcripts", str(folder), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        conforming(zf.read("project.qde"))
    again = import_qda(out)
    columns = ["guid", "path", "depth", "color", "is_codable", "description"]
    assert again.codes[columns].sort_values("guid").values.tolist() == project.codes[columns].sort_values(
        "guid").values.tolist()
    key = ["transcript", "start", "end", "code", "coder", "quote"]
    assert again.coding[key].sort_values(key).values.tolist() == project.coding[key].sort_values(key).values.tolist()


def test_utf8_byte_offsets_are_recognised(write_qdpx):
    text = "SYNTHETIC. Él dijo: «la señora Muñoz me ayudó» — y después todo mejoró.\n"
    raw = text.encode("utf-8")
    spans = []
    for n, words in enumerate(("señora Muñoz", "ayudó", "después todo mejoró")):
        start = raw.index(words.encode("utf-8"))
        spans.append(f'<PlainTextSelection guid="{G(200 + n)}" startPosition="{start}" '
                     f'endPosition="{start + len(words.encode("utf-8"))}"><Coding guid="{G(300 + n)}">'
                     f'<CodeRef targetGUID="{G(13)}"/></Coding></PlainTextSelection>')
    body = (f'<CodeBook><Codes><Code guid="{G(13)}" name="Barriers" isCodable="true"/></Codes></CodeBook>'
            f'<Sources><TextSource guid="{G(40)}" name="bytes.txt" plainTextPath="internal://b.txt">{"".join(spans)}'
            '</TextSource></Sources>')
    path = write_qdpx(body, {"Sources/b.txt": raw})
    conforming(zipfile.ZipFile(path).read("project.qde"))
    project = import_qda(path)
    assert project.sources["offset_convention"].tolist() == ["utf8 bytes"]
    assert project.coding["quote"].tolist() == ["señora Muñoz", "ayudó", "después todo mejoró"]
    assert (project.selections["status"] == "aligned").all()


def test_a_selection_that_splits_a_letter_from_its_accent_is_reported(write_qdpx):
    text = f"SYNTHETIC. We made a re{ACUTE}sume{ACUTE} together.\n"
    whole, cut = text.index("re"), text.index(f"e{ACUTE} together") + 1  # ends between "e" and its accent
    body = (f'<CodeBook><Codes><Code guid="{G(13)}" name="Barriers" isCodable="true"/></Codes></CodeBook>'
            f'<Sources><TextSource guid="{G(40)}" name="accents.txt" plainTextPath="internal://a.txt">'
            f'<PlainTextSelection guid="{G(200)}" startPosition="{whole}" endPosition="{whole + 8}">'
            f'<Coding guid="{G(300)}"><CodeRef targetGUID="{G(13)}"/></Coding></PlainTextSelection>'
            f'<PlainTextSelection guid="{G(201)}" startPosition="{whole}" endPosition="{cut}">'
            f'<Coding guid="{G(301)}"><CodeRef targetGUID="{G(13)}"/></Coding></PlainTextSelection>'
            '</TextSource></Sources>')
    path = write_qdpx(body, {"Sources/a.txt": text.encode("utf-8")})
    project = import_qda(path)
    assert project.selections["status"].tolist() == ["aligned", "misaligned"]
    assert project.selections["text"].tolist() == [f"re{ACUTE}sume{ACUTE}", "re\u0301sume"]
