"""Taguette imports on a hand-made SYNTHETIC database and CSVs: offsets into the HTML's text content
(entities decoded), highlights located without offsets, and the not-found / ambiguous / unknown cases."""

from __future__ import annotations

import json
import sqlite3

import pytest

from cm_research.interop.qda.read import QdaImportError
from cm_research.interop.qda.taguette import html_text, import_taguette, read_taguette_codebook, read_taguette_highlights

# Text content, worked by hand: "Interviewer: Why?\nMentee: Art &amp; music helped. Art helped me."
# with &amp; read as "&": "Art & music helped." starts at 26 and ends at 45; "Art helped me." is 46..60.
HTML = "<p>Interviewer: Why?</p>\n<p>Mentee: Art &amp; music helped. Art helped me.</p>"
SCHEMA = """
CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT, description TEXT, created TEXT);
CREATE TABLE project_members (project_id INTEGER, user_login TEXT, privileges TEXT);
CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT, description TEXT, filename TEXT, created TEXT,
                        project_id INTEGER, text_direction TEXT, contents TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, project_id INTEGER, path TEXT, description TEXT);
CREATE TABLE highlights (id INTEGER PRIMARY KEY, document_id INTEGER, start_offset INTEGER, end_offset INTEGER,
                         snippet TEXT);
CREATE TABLE highlight_tags (highlight_id INTEGER, tag_id INTEGER);
CREATE TABLE commands (id INTEGER PRIMARY KEY, date TEXT, user_login TEXT, project_id INTEGER, document_id INTEGER,
                       payload TEXT);
"""


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "synthetic.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.execute("INSERT INTO projects VALUES (1, 'SYNTHETIC project', '', '2024-01-01')")
    con.execute("INSERT INTO project_members VALUES (1, 'coder_b', 'ADMIN'), (1, 'coder_a', 'MANAGE')")
    con.execute("INSERT INTO documents VALUES (1, 'Jade', 'SYNTHETIC', 'jade.html', '', 1, 'LEFT_TO_RIGHT', ?)",
                (HTML,))
    con.execute("INSERT INTO tags VALUES (1, 1, 'creativity', 'Arts activities'), (2, 1, 'wellbeing', '')")
    con.execute("INSERT INTO highlights VALUES (1, 1, 26, 45, '<p>Art &amp; music helped.</p>'), "
                "(2, 1, 46, 60, 'Art helped me.'), (3, 1, 40, 50, 'Not the text there')")
    con.execute("INSERT INTO highlight_tags VALUES (1, 1), (1, 2), (2, 2), (3, 1)")
    for hid, who in ((1, "coder_a"), (2, "coder_b"), (3, "coder_a")):
        con.execute("INSERT INTO commands (date, user_login, project_id, document_id, payload) VALUES "
                    "('', ?, 1, 1, ?)", (who, json.dumps({"type": "highlight_add", "highlight_id": hid})))
    con.commit()
    con.close()
    return path


def test_html_text_decodes_entities_and_adds_nothing():
    assert html_text(HTML) == "Interviewer: Why?\nMentee: Art & music helped. Art helped me."


def test_database_offsets_snippets_and_coders(database):
    project = import_taguette(database, roles={"Jade": "Young person"}, sites={"Jade": "Easton"})
    text = project.corpus.text("Jade")
    assert text[26:45] == "Art & music helped." and text[46:60] == "Art helped me."
    assert project.selections["status"].tolist() == ["aligned", "aligned", "misaligned"]
    assert any("1 highlights do not match their snippet" in m and "highlight 3 at bytes 40..50" in m
               for m in project.messages)
    rows = project.coding[["start", "end", "code", "coder"]].values.tolist()
    assert rows == [[26, 45, "creativity", "coder_a"], [26, 45, "wellbeing", "coder_a"],
                    [46, 60, "wellbeing", "coder_b"], [40, 50, "creativity", "coder_a"]]
    assert project.corpus["Jade"].role == "mentee" and project.corpus["Jade"].site == "Easton"
    assert project.codebook.code_names == ["creativity", "wellbeing"]
    assert project.codebook.codes[0].definition == "Arts activities"
    assert sorted(project.users["name"]) == ["coder_a", "coder_b"]


def test_missing_role_is_said(database):
    project = import_taguette(database)
    assert project.corpus["Jade"].role == "unknown"
    assert any("Jade: no role given" in m for m in project.messages)


def test_highlights_csv_found_not_found_ambiguous_unknown_document(database, tmp_path):
    corpus = import_taguette(database, roles={"Jade": "mentee"}).corpus
    csv_path = tmp_path / "highlights.csv"
    csv_path.write_text(
        "id,document,tag,content\n"
        "1,Jade,creativity,Art & music helped.\n"
        "1,Jade,wellbeing,Art & music helped.\n"
        "2,Jade,wellbeing,\"Art  helped\nme.\"\n"        # white space differs: still found once
        "3,Jade,creativity,Art\n"                          # twice in the text: ambiguous
        "4,Jade,creativity,Drama club\n"                   # nowhere
        "5,Sam,creativity,Art helped me.\n",               # no such document
        encoding="utf-8")
    coding, report = read_taguette_highlights(csv_path, corpus, coder="Coder A")
    assert report["status"].tolist() == ["located", "located", "ambiguous", "not_found", "unknown_document"]
    assert report["n_found"].tolist() == [1, 1, 2, 0, 0]
    assert report.loc[2, "message"] == ("highlights.csv, row 5: the highlighted text occurs 2 times in 'Jade' "
                                        "(at 26..29, 46..49); place it by hand")
    assert report.loc[3, "message"] == "highlights.csv, row 6: the highlighted text is not in 'Jade'"
    assert coding[["start", "end", "code", "row"]].values.tolist() == [
        [26, 45, "creativity", 2], [26, 45, "wellbeing", 2], [46, 60, "wellbeing", 4]]
    assert set(coding["coder"]) == {"Coder A"}


def test_codebook_csv_and_bad_files(tmp_path, database):
    path = tmp_path / "codebook.csv"
    path.write_text("tag,description,number of highlights,number of documents\nart,Arts,3,2\n", encoding="utf-8")
    table, codebook = read_taguette_codebook(path)
    assert table.values.tolist() == [["art", "Arts", 3, 2]] and codebook.code_names == ["art"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,description\nart,Arts\n", encoding="utf-8")
    with pytest.raises(QdaImportError, match=r"bad\.csv, line 1, column `tag`: missing column"):
        read_taguette_codebook(bad)
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_text("just text, not a database " * 50, encoding="utf-8")
    with pytest.raises(QdaImportError, match=r"notes\.sqlite3: not a Taguette database"):
        import_taguette(not_db)
    with pytest.raises(QdaImportError, match="say which one with project="):
        import_taguette(database, project="Other")


def test_offsets_count_utf8_bytes_as_taguette_does(tmp_path):
    # "Zoë: Café 🎨 helped." : 'ë' and 'é' are 2 bytes in UTF-8, the emoji (character 10) 4; "helped" starts at
    # character 12 and at byte 12 + 1 + 1 + 3 = 17 (worked by hand); the emoji takes bytes 12..15
    html = "<p>Zoë: Café 🎨 helped.</p>"
    text = html_text(html)
    assert text.index("helped") == 12 and len(text[:12].encode("utf-8")) == 17
    path = tmp_path / "utf8.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.execute("INSERT INTO projects VALUES (1, 'SYNTHETIC', '', '')")
    con.execute("INSERT INTO documents VALUES (1, 'Zoe', '', 'z.html', '', 1, 'LEFT_TO_RIGHT', ?)", (html,))
    con.execute("INSERT INTO tags VALUES (1, 1, 'creativity', '')")
    con.execute("INSERT INTO highlights VALUES (1, 1, 17, 23, '<p>helped</p>'), (2, 1, 13, 15, 'x')")
    con.execute("INSERT INTO highlight_tags VALUES (1, 1), (2, 1)")
    con.commit()
    con.close()
    project = import_taguette(path, roles={"Zoe": "mentee"})
    assert project.coding[["start", "end", "quote"]].values.tolist() == [[12, 18, "helped"]]
    # byte 13 falls inside the emoji: not placed, and listed
    assert project.selections["status"].tolist() == ["aligned", "outside"]
