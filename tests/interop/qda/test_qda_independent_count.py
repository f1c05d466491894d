"""Everything in the real exports of ../shared/interop, counted a second, independent way and compared with what
import_qda / import_taguette give (skipped when ../shared/interop is absent).

The expected side never calls cm_research: the REFI-QDA XML is walked with lxml XPath, the Taguette project with
sqlite3 and its CSV exports with the csv module. Each test names what would be lost if it failed: codes (with
their hierarchy, colour, codability and description), users, sources, every coded selection (its offsets as
written, the code it carries, the coder), notes, comments, sets, links, and the project's descriptions.
"""

from __future__ import annotations

import csv
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest
from lxml import etree

from cm_research.interop.qda.read import import_qda

NS = {"q": "urn:QDA-XML:project:1.0"}


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def _code_tree(root) -> dict[str, dict]:
    """guid -> name, parent path, path, depth, colour, codable, description: walked with XPath, not the importer."""
    out = {}
    for code in root.xpath("q:CodeBook/q:Codes//q:Code", namespaces=NS):
        names = code.xpath("ancestor-or-self::q:Code/@name", namespaces=NS)
        description = code.xpath("string(q:Description)", namespaces=NS).strip()
        out[_guid(code.get("guid"))] = {"path": " / ".join(n.strip() for n in names), "depth": len(names),
                                        "color": code.get("color") or "", "description": description,
                                        "is_codable": code.get("isCodable") in ("true", "1")}
    return out


def _imported_tree(project) -> dict[str, dict]:
    return {r.guid: {"path": r.path, "depth": int(r.depth), "color": r.color or "", "description": r.description,
                     "is_codable": bool(r.is_codable)} for r in project.codes.itertuples()}


def _codings_in_xml(root, source_names: dict[str, str]) -> Counter:
    """(source, start as written, end as written, code path, coder name) of every coding of a plain-text selection."""
    users = {_guid(u.get("guid")): u.get("name") for u in root.xpath("q:Users/q:User", namespaces=NS)}
    paths = {g: c["path"] for g, c in _code_tree(root).items()}
    out = Counter()
    for coding in root.xpath("q:Sources/q:TextSource/q:PlainTextSelection/q:Coding", namespaces=NS):
        selection, source = coding.getparent(), coding.getparent().getparent()
        who = _guid(coding.get("creatingUser") or selection.get("creatingUser"))
        code = _guid(coding.xpath("string(q:CodeRef/@targetGUID)", namespaces=NS))
        out[(source_names[_guid(source.get("guid"))], int(selection.get("startPosition")),
             int(selection.get("endPosition")), paths[code], users[who])] += 1
    return out


def _codings_imported(project) -> Counter:
    """The same five things from the import: its coding table joined to its selections (offsets as written)."""
    raw = {(r.transcript, int(r.start), int(r.end)): (int(r.raw_start), int(r.raw_end))
           for r in project.selections.itertuples() if r.status != "no_text"}
    path_of = dict(zip(project.codes["code"], project.codes["path"]))
    return Counter((r.transcript, *raw[(r.transcript, r.start, r.end)], path_of[r.code], r.coder)
                   for r in project.coding.itertuples())


# ------------------------------------------------------------------------------------------------- NVivo 12 .qdpx

@pytest.fixture(scope="module")
def nvivo(shared):
    path = shared("nvivo12-windows-hungarian.qdpx")
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        members = zf.namelist()
    return import_qda(path), root, members


def test_nvivo_every_code_with_its_place_colour_and_description(nvivo):
    project, root, _ = nvivo
    expected = _code_tree(root)
    assert len(expected) == 152 and _imported_tree(project) == expected
    assert Counter(c["depth"] for c in expected.values()) == Counter(project.codes["depth"])
    # parents as XPath sees them: the parent of each code is the code element around it
    parent_of = {_guid(c.get("guid")): c.getparent().get("name", "").strip()
                 for c in root.xpath("q:CodeBook/q:Codes//q:Code", namespaces=NS)}
    imported_parent = {r.guid: (r.parent.rsplit(" / ", 1)[-1] if r.parent else "") for r in project.codes.itertuples()}
    assert imported_parent == parent_of


def test_nvivo_every_user_source_and_coded_selection(nvivo):
    project, root, members = nvivo
    users = {(_guid(u.get("guid")), u.get("name")) for u in root.xpath("q:Users/q:User", namespaces=NS)}
    assert set(map(tuple, project.users[["guid", "name"]].values.tolist())) == users and len(users) == 2
    sources = root.xpath("q:Sources/q:TextSource", namespaces=NS)
    names = {_guid(s.get("guid")): PurePosixPath(s.get("name")).stem for s in sources}
    assert sorted(project.sources["guid"]) == sorted(names) and (project.sources["status"] == "imported").all()
    # each source's text is the .txt member its plainTextPath names
    for s in sources:
        assert f"Sources/{s.get('plainTextPath').removeprefix('internal://')}" in members
    expected = _codings_in_xml(root, names)
    assert sum(expected.values()) == 303 and _codings_imported(project) == expected
    n_selections = int(root.xpath("count(q:Sources/q:TextSource/q:PlainTextSelection)", namespaces=NS))
    assert len(project.selections) == n_selections == 303
    # nothing the project holds besides codes, users, sources and codings (no notes, sets, cases, links)
    for element in ("Note", "Set", "Case", "Link", "Variable", "Graph"):
        assert not root.xpath(f"//q:{element}", namespaces=NS)
    assert project.notes.empty and project.sets.empty and project.cases.empty and project.links.empty


# ------------------------------------------------------------------------------------------------ ATLAS.ti 8 .qde

@pytest.fixture(scope="module")
def atlas(shared):
    path = shared("atlasti8-standard-project.qde")
    return import_qda(path), etree.parse(str(path)).getroot()


def test_atlas_every_code_keeps_its_colour(atlas):
    project, root = atlas
    expected = _code_tree(root)
    imported = _imported_tree(project)
    # ATLAS.ti writes "Coke::diet Coke" flat; the import nests it (checked in test_qda_real_exports), so compare
    # what does not depend on nesting: the same GUIDs, each with its colour, codability and description
    created = {g for g, c in imported.items() if g not in expected}
    assert created == set() and set(imported) == set(expected)
    for guid, code in expected.items():
        got = imported[guid]
        assert (got["color"], got["is_codable"], got["description"]) == (
            code["color"], code["is_codable"], code["description"]), code["path"]
    colours = root.xpath("q:CodeBook/q:Codes//q:Code/@color", namespaces=NS)
    assert len(colours) == 13 and Counter(project.codes["color"].replace("", None).dropna()) == Counter(colours)


def test_atlas_users_notes_comments_sets_and_links(atlas):
    project, root = atlas
    assert {(_guid(u.get("guid")), u.get("name")) for u in root.xpath("q:Users/q:User", namespaces=NS)} == set(
        map(tuple, project.users[["guid", "name"]].values.tolist()))
    notes = {(n.get("name"), n.xpath("string(q:PlainTextContent)", namespaces=NS))
             for n in root.xpath("q:Notes/q:Note", namespaces=NS)}
    got = project.notes[project.notes["kind"] == "note"]
    assert set(zip(got["name"], got["text"])) == notes and len(notes) == 2
    comments = {d.text.strip() for d in root.xpath("//q:PlainTextSelection/q:Description", namespaces=NS)}
    assert set(project.notes.loc[project.notes["kind"] == "comment", "text"]) == comments and len(comments) == 2
    members = Counter()
    for s in root.xpath("q:Sets/q:Set", namespaces=NS):
        for m in s.xpath("q:MemberCode | q:MemberSource | q:MemberNote", namespaces=NS):
            members[(_guid(s.get("guid")), _guid(m.get("targetGUID")))] += 1
    imported = Counter(zip(project.sets["set_guid"], project.sets["member_guid"]))
    imported.pop(next((k for k in imported if k[1] == ""), None), None)  # a set without members: one empty row
    assert imported == members and sum(members.values()) == 23 + 19
    assert project.sets["set_guid"].nunique() == int(root.xpath("count(q:Sets/q:Set)", namespaces=NS)) == 16
    links = {(_guid(k.get("guid")), k.get("name"), k.get("direction"), k.get("color"), _guid(k.get("originGUID")),
              _guid(k.get("targetGUID"))) for k in root.xpath("q:Links/q:Link", namespaces=NS)}
    assert set(map(tuple, project.links[["guid", "name", "direction", "color", "origin_guid",
                                         "target_guid"]].values.tolist())) == links and len(links) == 1
    n_graphs = int(root.xpath("count(q:Graphs/q:Graph)", namespaces=NS))
    assert any(m.startswith(f"{n_graphs} graph ") and "not imported" in m for m in project.messages)


def test_atlas_every_source_is_listed_and_every_coding_accounted_for(atlas):
    project, root = atlas
    expected = {_guid(s.get("guid")) for s in root.xpath("q:Sources/*", namespaces=NS)}
    assert set(project.sources["guid"]) == expected and len(expected) == 12
    # every <Coding> in the file is either imported or counted in a message naming its source
    n_codings = int(root.xpath("count(//q:Coding)", namespaces=NS))
    assert n_codings == 16
    listed = project.selections["n_codings"].sum()  # plain-text codings, listed (no text in a bare .qde)
    in_messages = 0
    for m in project.messages:
        if "codings on it not imported" in m:
            in_messages += int(m.split("(")[1].split(" codings")[0])
        if "regions drawn on its pages" in m:
            in_messages += int(m.split("(")[1].split(" codings")[0]) + int(m.split(") and ")[1].split(" codings")[0])
    assert listed + in_messages == n_codings


# ------------------------------------------------------------------------------------- round trip of the colours

def test_atlas_round_trip_keeps_colours_and_validates(shared, tmp_path, schema_path):
    from cm_research.cli import main
    from cm_research.interop.qda.write import validate_project

    folder, out = tmp_path / "imported", tmp_path / "back.qdpx"
    assert main(["import-qda", str(shared("atlasti8-standard-project.qde")), "--out", str(folder)]) == 0
    assert main(["export-qdpx", "--transcripts", str(folder), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
    assert validate_project(qde, schema_path) == []
    root = etree.fromstring(qde)
    original = _code_tree(etree.parse(str(shared("atlasti8-standard-project.qde"))).getroot())
    written = {g: c["color"] for g, c in _code_tree(root).items()}
    assert {g: c["color"] for g, c in original.items()} == {g: written[g] for g in original}


# ------------------------------------------------------------------------------------------------ Taguette 1.5.2

@pytest.fixture(scope="module")
def taguette(shared):
    from cm_research.interop.qda.taguette import import_taguette

    db = shared("taguette-1.5.2-export/project.sqlite3")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        tables = {name: con.execute(sql).fetchall() for name, sql in {
            "documents": "SELECT id, name, description FROM documents",
            "tags": "SELECT path, description FROM tags",
            "highlights": "SELECT id, document_id, start_offset, end_offset FROM highlights",
            "pairs": "SELECT h.id, t.path FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id "
                     "JOIN tags t ON t.id = ht.tag_id",
            "members": "SELECT user_login FROM project_members",
            "project": "SELECT name, description FROM projects"}.items()}
    return import_taguette(db), tables, db.parent


def test_taguette_database_counted_with_sqlite3(taguette):
    project, db, _ = taguette
    assert [(r.guid, r.name) for r in project.sources.itertuples()] == [(str(i), n) for i, n, _ in db["documents"]]
    assert list(zip(project.codes["code"], project.codes["description"])) == db["tags"]
    assert sorted((int(r.guid), int(r.raw_start), int(r.raw_end)) for r in project.selections.itertuples()) == sorted(
        (i, s, e) for i, _, s, e in db["highlights"])
    by_span = {(int(r.start), int(r.end)): int(r.guid) for r in project.selections.itertuples()}
    assert Counter((by_span[(r.start, r.end)], r.code) for r in project.coding.itertuples()) == Counter(db["pairs"])
    assert set(project.users["name"]) == {m for (m,) in db["members"]}
    assert project.name == db["project"][0][0]
    descriptions = set(zip(project.notes["target_kind"], project.notes["text"]))
    assert descriptions == {("project", db["project"][0][1])} | {("source", d) for _, _, d in db["documents"]}


def test_taguette_csv_exports_counted_with_the_csv_module(taguette):
    project, _, folder = taguette
    with open(folder / "codebook.csv", newline="", encoding="utf-8") as f:
        codebook = list(csv.DictReader(f))
    assert [(r["tag"], r["description"]) for r in codebook] == list(zip(project.codes["code"],
                                                                      project.codes["description"]))
    per_tag = project.coding.groupby("code").size()
    assert {r["tag"]: int(r["number of highlights"]) for r in codebook} == {
        t: int(per_tag.get(t, 0)) for t in project.codes["code"]}
    per_tag_docs = project.coding.groupby("code")["transcript"].nunique()
    assert {r["tag"]: int(r["number of documents"]) for r in codebook} == {
        t: int(per_tag_docs.get(t, 0)) for t in project.codes["code"]}
    with open(folder / "highlights_.csv", newline="", encoding="utf-8") as f:
        highlights = list(csv.DictReader(f))
    assert Counter((r["document"], r["tag"], r["content"]) for r in highlights) == Counter(
        zip(project.coding["transcript"], project.coding["code"], project.coding["quote"]))


def test_taguette_highlight_without_a_tag_is_listed_not_lost(shared, tmp_path):
    """A copy of the real database with a highlight that carries no tag (Taguette allows it)."""
    from cm_research.interop.qda.taguette import import_taguette

    db = tmp_path / "project.sqlite3"
    db.write_bytes(Path(shared("taguette-1.5.2-export/project.sqlite3")).read_bytes())
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO highlights (id, document_id, start_offset, end_offset, snippet) "
                    "VALUES (9, 1, 99, 130, '<p>It made me feel more confident.</p>')")
    project = import_taguette(db)
    untagged = project.selections[project.selections["guid"] == "9"]
    assert len(untagged) == 1 and untagged["n_codings"].iloc[0] == 0 and untagged["status"].iloc[0] == "aligned"
    assert len(project.coding) == 3  # the three tagged highlight-tag pairs, as before
