"""The columnar CSV reader (pyarrow) against the row-by-row reader: the same cells, rows, problems and quarantine.

Three kinds of evidence: every demo site's tables loaded both ways; small files written to exercise each reading
rule (the columnar reader must either read them identically or hand them to the row-by-row reader); and a
generated 100,000-row extract with a problem of every rule planted at a known Excel row, found there by the
columnar path. All data are synthetic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import cm_research
from cm_research.data import load_evaluation, load_table
from cm_research.data.reading import read_raw
from cm_research.errors import DataValidationError

DEMO = [p for p in sorted((Path(cm_research.__file__).parent / "datasets/data/demo").iterdir()) if p.is_dir()]


def read_by_columns(path: Path) -> bool:
    """Whether the columnar reader read ``path`` itself (Arrow text columns) rather than handing it on."""
    dtype = read_raw(path, engine="columnar").cells.dtypes.iloc[0]
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def assert_same_load(a, b) -> None:
    pdt.assert_frame_equal(a.problems, b.problems)
    pdt.assert_frame_equal(a.data, b.data)
    pdt.assert_frame_equal(a.quarantine, b.quarantine)
    pdt.assert_frame_equal(a.blanked, b.blanked)
    assert (a.blank_rows, a.n_read, a.encoding) == (b.blank_rows, b.n_read, b.encoding)


@pytest.mark.parametrize("site", DEMO, ids=lambda p: p.name)
def test_demo_sites_load_the_same_both_ways(site):
    python = load_evaluation(site, all_tables=True, engine="python")
    columnar = load_evaluation(site, all_tables=True, engine="columnar")
    assert read_by_columns(site / "outcomes.csv")
    for a, b in zip(python.loads, columnar.loads):
        assert_same_load(a, b)


HEADER = "participant_id,site,cohort,year_group,education_stage,care_status,group"
ROW = "NS-{:04d},Northshire,2023/24,9,KS3,looked_after,comparison"

#: (name, bytes, whether the columnar reader reads it itself): each reading rule of reading.py
CASES = [
    ("plain", "\n".join([HEADER] + [ROW.format(i) for i in range(5)]).encode(), True),
    ("quoted header", "\n".join(['"' + HEADER.replace(",", '","') + '"'] + [ROW.format(i) for i in range(3)]).encode(),
     True),
    ("crlf and bom", b"\xef\xbb\xbf" + "\r\n".join([HEADER] + [ROW.format(i) for i in range(3)]).encode() + b"\r\n",
     True),
    ("windows-1252", "\n".join([HEADER, ROW.format(1).replace("Northshire", "Bront\u00eb")]).encode("cp1252"), True),
    ("utf-16", ("\ufeff" + "\n".join([HEADER, ROW.format(1)])).encode("utf-16-le"), True),
    ("semicolons", "\n".join([HEADER.replace(",", ";")] + [ROW.format(i).replace(",", ";") for i in range(3)]).encode(),
     True),
    ("tabs, decimal comma", "\n".join([HEADER.replace(",", "\t"), ROW.format(1).replace(",", "\t").replace(
        "\t9\t", "\t9,5\t")]).encode(), False),
    ("blank rows", "\n".join([HEADER, ROW.format(1), ",,,,,,", " , ,,,,,", ROW.format(2), ",,,,,,", ",,,,,,"]).encode(),
     True),
    ("non-breaking space row", "\n".join([HEADER, ROW.format(1), "\u00a0,,,,,,", ROW.format(2)]).encode(), True),
    ("missing markers and spaces", "\n".join([HEADER, "NS-0001, Northshire ,2023/24,NA,n/a,Looked After,-",
                                              "ns-0001,Northshire,2023/24, 15 ,KS9,in care,comparison"]).encode(),
     True),
    ("empty line", "\n".join([HEADER, ROW.format(1), "", ROW.format(2)]).encode(), False),
    ("ragged row", "\n".join([HEADER, ROW.format(1) + ",extra", ROW.format(2)]).encode(), False),
    ("trailing empty cell", "\n".join([HEADER, ROW.format(1) + ",", ROW.format(2)]).encode(), False),
    ("short row", "\n".join([HEADER, "NS-0001,Northshire", ROW.format(2)]).encode(), False),
    ("stray quote", "\n".join([HEADER, 'NS-0001,"Northshire,2023/24,9,KS3,looked_after,comparison', ROW.format(2),
                               ROW.format(3)]).encode(), False),
    ("lone carriage return", "\r".join([HEADER, ROW.format(1), ROW.format(2)]).encode(), False),
    ("header only", (HEADER + "\n").encode(), False),
    ("unnamed column", "\n".join([HEADER + ",", ROW.format(1) + ",x"]).encode(), False),
    ("not text", HEADER.encode() + b"\nNS-0001,\x81\x8d,2023/24,9,KS3,looked_after,comparison\n", False),
    ("every cell quoted (Excel, SPSS)", "\r\n".join(['"' + r.replace(",", '","') + '"' for r in [HEADER] + [
        ROW.format(i) for i in range(3)]]).encode() + b"\r\n", True),
    ("text quoted, numbers not (R)", "\n".join([HEADER] + ['"NS-000{0}","North, shire","2023/24",9,"KS3","looked_after",'
                                                          '"comparison"'.format(i) for i in range(3)]).encode(), True),
    ("doubled quotes within a quoted cell", "\n".join([HEADER, 'NS-0001,"The ""North"" shire",2023/24,9,KS3,'
                                                                'looked_after,comparison']).encode(), True),
    ("quoted cells, semicolons", "\n".join([HEADER.replace(",", ";")] + ['"NS-000{0}";"Northshire";"2023/24";"9";'
                                                                       '"KS3";"looked_after";"comparison"'.format(i)
                                                                       for i in range(2)]).encode(), True),
    ("a quoted cell over two lines", "\n".join([HEADER, 'NS-0001,"North\nshire",2023/24,9,KS3,looked_after,comparison',
                                                ROW.format(2)]).encode(), False),
    ("text after a closing quote", "\n".join([HEADER, 'NS-0001,"North"shire,2023/24,9,KS3,looked_after,comparison',
                                              ROW.format(2)]).encode(), False),
    ("a quote inside an unquoted cell", "\n".join([HEADER, 'NS-0001,North"shire,2023/24,9,KS3,looked_after,'
                                                           'comparison', ROW.format(2)]).encode(), False),
    ("an empty line between crlf lines", "\r\n".join([HEADER, ROW.format(1), "", ROW.format(2)]).encode(), False),
    ("ids beyond ASCII", "\n".join([HEADER, ROW.format(1).replace("NS-0001", "NS-STRASSE"),
                                    ROW.format(2).replace("NS-0002", "NS-stra\u00dfe"),
                                    ROW.format(3).replace("Northshire", "\u00c9ire\u2003")]).encode(), True),
    ("too long a cell", "\n".join([HEADER, ROW.format(1).replace("Northshire", "N" * 140_000)]).encode(), False),
]


@pytest.mark.parametrize("name, data, columnar", CASES, ids=[c[0] for c in CASES])
def test_each_reading_rule_gives_the_same_result_both_ways(tmp_path, name, data, columnar):
    path = tmp_path / "participants.csv"
    path.write_bytes(data)
    outcomes = []
    for engine in ("python", "columnar"):
        try:
            outcomes.append(load_table(path, "participants", engine=engine))
        except DataValidationError as exc:
            outcomes.append(str(exc))
    if isinstance(outcomes[0], str):
        assert outcomes[0] == outcomes[1]
    else:
        assert_same_load(*outcomes)
    if not isinstance(outcomes[0], str):
        assert read_by_columns(path) == columnar


FREE = 200


def _extract(folder: Path, pupils: int) -> dict[str, dict[int, tuple[str, str]]]:
    """A synthetic extract of ``pupils`` pupils (4 outcome rows each) with one problem of every rule planted at a
    known row. Returns {file: {Excel row: (column, rule)}} of the planted problems."""
    rng = np.random.default_rng(25)
    ids = np.char.add("NPD-", np.char.zfill(np.arange(pupils).astype(str), 7)).astype(object)
    people = pd.DataFrame({
        "participant_id": ids, "site": "Local authority 001", "cohort": "2023/24",
        "year_group": rng.integers(0, 14, pupils).astype(str), "care_status": "looked_after",
        "group": "comparison", "start_date": "", "end_date": "", "match_ended_early": "",
    })
    planted = {"participants.csv": {}, "outcomes.csv": {}}

    def plant(table: pd.DataFrame, file: str, index: int, column: str, value: str, rule: str) -> None:
        table.iat[index, table.columns.get_loc(column)] = value
        planted[file][index + 2] = (column, rule)

    p = "participants.csv"
    plant(people, p, 10, "participant_id", "NPD 10", "pattern")
    plant(people, p, 20, "participant_id", "npd-0000021", "unique")  # the same id as row 23, in small letters
    planted[p][23] = ("participant_id", "unique")
    plant(people, p, 30, "site", "", "required")
    plant(people, p, 40, "care_status", "in care", "enum")
    plant(people, p, 50, "year_group", "ten", "type")
    plant(people, p, 60, "year_group", "15", "maximum")
    plant(people, p, 70, "year_group", "-1", "minimum")
    plant(people, p, 80, "end_date", "01/01/2023", "not_before")
    people.iat[80, people.columns.get_loc("start_date")] = "01/09/2023"
    plant(people, p, 90, "start_date", "31/02/2024", "type")
    plant(people, p, 100, "start_date", "01/09/23", "type")
    plant(people, p, 110, "match_ended_early", "maybe", "type")
    plant(people, p, 150, "cohort", "2023-24", "pattern")

    n = (pupils - FREE) * 4  # the first FREE pupils, where the participants' problems are, have no outcomes
    outcomes = pd.DataFrame({
        "participant_id": np.repeat(ids[FREE:], 4),
        "measure": np.tile(["attendance_pct", "attendance_pct", "suspensions", "gcse_5_ac"], pupils - FREE).astype(object),
        "timepoint": np.tile(["baseline", "post", "post", "post"], pupils - FREE).astype(object),
        "date": "31/07/2024",
        "value": np.tile(["91.5", "93", "0", "1"], pupils - FREE).astype(object),
    })
    o = "outcomes.csv"
    plant(outcomes, o, 12, "participant_id", "NPD-9999999", "foreign_key")
    plant(outcomes, o, 13, "measure", "reading_age", "foreign_key")
    plant(outcomes, o, 17, "timepoint", "baseline", "primary_key")  # a second attendance at baseline ...
    planted[o][18] = ("timepoint", "primary_key")  # ... of the same pupil as the row before
    plant(outcomes, o, 21, "value", "120", "maximum")
    plant(outcomes, o, 22, "value", "1.5", "count")
    plant(outcomes, o, 23, "value", "0.5", "binary")
    plant(outcomes, o, 24, "value", "abc", "type")
    plant(outcomes, o, 25, "value", "inf", "type")
    plant(outcomes, o, 26, "value", "1e309", "type")
    plant(outcomes, o, 27, "value", "", "required")
    plant(outcomes, o, 28, "timepoint", "later", "enum")
    plant(outcomes, o, 29, "date", "2024-13-01", "type")
    plant(outcomes, o, n - 3, "value", "-2", "minimum")
    folder.mkdir(parents=True, exist_ok=True)
    people.to_csv(folder / p, index=False)
    outcomes.to_csv(folder / o, index=False)
    return planted


#: Excel rows whose planted problem is in an optional field: the cell is blanked and the row kept
BLANKED = {"participants.csv": {52, 62, 72, 92, 102, 112}, "outcomes.csv": {31}}


def _found(load) -> dict[int, set[tuple[str, str]]]:
    """{Excel row: {(column, rule)}} of the problems found in rows (a blanked cell's rule without its prefix)."""
    problems = load.problems[load.problems["row"].notna()]
    out: dict[int, set] = {}
    for row, column, rule in zip(problems["row"], problems["column"], problems["rule"]):
        out.setdefault(int(row), set()).add((column, rule.removeprefix("blanked_")))
    return out


def test_planted_problems_are_found_at_their_excel_rows_by_the_columnar_path(tmp_path):
    planted = _extract(tmp_path, 25_000 + FREE)  # 25,200 participants and 100,000 outcome rows
    evaluation = load_evaluation(tmp_path, engine="columnar")
    for load, file in ((evaluation.participants, "participants.csv"), (evaluation.outcomes, "outcomes.csv")):
        assert read_by_columns(tmp_path / file)
        found = _found(load)
        for row, (column, rule) in planted[file].items():
            assert (column, rule) in found.get(row, set()), (file, row, column, rule, found.get(row))
        assert set(found) == set(planted[file]), (file, sorted(set(found) ^ set(planted[file])))
        assert set(load.quarantine["row"]) == set(planted[file]) - BLANKED[file]
        assert set(load.blanked["row"]) == BLANKED[file]
        assert BLANKED[file] <= set(load.data.index)
    assert len(evaluation.outcomes.data) == 100_000 - len(planted["outcomes.csv"]) + len(BLANKED["outcomes.csv"])


def test_planted_extract_agrees_with_the_row_by_row_path(tmp_path):
    _extract(tmp_path, 1_000)
    python = load_evaluation(tmp_path, engine="python")
    columnar = load_evaluation(tmp_path, engine="columnar")
    assert_same_load(python.participants, columnar.participants)
    assert_same_load(python.outcomes, columnar.outcomes)


def test_parquet_tables_are_found_read_and_checked_like_csv(tmp_path):
    csv_folder, parquet_folder = tmp_path / "csv", tmp_path / "parquet"
    planted = _extract(csv_folder, 300)
    parquet_folder.mkdir()
    for name in ("participants", "outcomes"):  # typed columns, as a statistics package would write them
        frame = pd.read_csv(csv_folder / f"{name}.csv", dtype=str, keep_default_na=False)
        if name == "outcomes":
            numeric = pd.to_numeric(frame["value"], errors="coerce")
            clean = numeric.notna() & frame["value"].str.fullmatch(r"-?\d+(\.\d+)?")
            frame["value"] = numeric.where(clean)  # the planted text values become missing (NaN) in a float column
            planted["outcomes.csv"] = {r: p for r, p in planted["outcomes.csv"].items()
                                       if p[0] != "value" or p[1] not in ("type",)}
            planted["outcomes.csv"].update({r: ("value", "required") for r in (26, 27)})
        frame.to_parquet(parquet_folder / f"{name}.parquet", index=False)
    from_csv = load_evaluation(csv_folder, engine="python")
    from_parquet = load_evaluation(parquet_folder)
    assert from_parquet.participants.encoding == "parquet"
    pdt.assert_frame_equal(from_csv.participants.problems.drop(columns="file"),
                           from_parquet.participants.problems.drop(columns="file"))
    found = _found(from_parquet.outcomes)
    for row, (column, rule) in planted["outcomes.csv"].items():
        assert (column, rule) in found.get(row, set()), (row, column, rule, found.get(row))
    valid = from_csv.outcomes.data
    pdt.assert_frame_equal(valid, from_parquet.outcomes.data.loc[valid.index])
    out = from_parquet.outcomes.write_parquet(tmp_path / "valid.parquet")
    back = pd.read_parquet(out).set_index("row")
    assert list(back.index) == list(from_parquet.outcomes.data.index)
    assert back["value"].sum() == pytest.approx(from_parquet.outcomes.data["value"].sum())


def test_a_report_shows_the_first_examples_of_each_kind_when_problems_are_many():
    from cm_research.quality import problem_examples

    rows = [("outcomes.csv", r, "value", "maximum") for r in range(2, 14)] + \
           [("outcomes.csv", r, "timepoint", "enum") for r in (5, 7, 9)]
    problems = pd.DataFrame(rows, columns=["file", "row", "column", "rule"])
    assert len(problem_examples(problems, limit=15)) == 15  # at the limit: every problem
    shown = problem_examples(problems, limit=10, per_kind=5)
    assert list(shown["row"]) == [2, 3, 4, 5, 6, 5, 7, 9]  # 12 maximum problems -> rows 2-6; all 3 enum problems


def _same_cells(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Quarantined cells alike once written as a person reads them (the whole-file reader keeps SPSS numbers
    as numbers, 9.0; the chunked reader keeps the text an error message shows, 9)."""
    from cm_research.data.coercion import display

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.astype(object).map(lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v))
                                        else display(v))

    pdt.assert_frame_equal(shown(a).reset_index(drop=True), shown(b).reset_index(drop=True))


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_and_stata_files_read_in_chunks_agree_with_the_whole_file_and_the_csv(tmp_path, monkeypatch, suffix):
    """Chunks of 37 cases (so every file has several, and a chunk ends mid-pupil): the chunked reader gives the
    whole-file reader's data and problems, and both find the CSV file's problems one row up (a case number has
    no header row before it)."""
    import pyreadstat

    from cm_research.interop import export_table, import_table
    from cm_research.interop import spss_stata

    monkeypatch.setattr(spss_stata, "CHUNK_ROWS", 37)
    csv_folder = tmp_path / "csv"
    _extract(csv_folder, 300)
    csv_loads = load_evaluation(csv_folder, engine="python")
    for table, csv_load in (("participants", csv_loads.participants), ("outcomes", csv_loads.outcomes)):
        frame = pd.read_csv(csv_folder / f"{table}.csv", dtype=str, keep_default_na=False)
        path = tmp_path / f"{table}{suffix}"
        (pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta)(frame, str(path))
        references = {"participants": csv_loads.participants.data} if table == "outcomes" else None
        whole = import_table(path, table, references=references, engine="python")
        chunked = import_table(path, table, references=references, engine="columnar")
        assert isinstance(chunked.data["participant_id"].dtype, pd.StringDtype)
        pdt.assert_frame_equal(whole.problems, chunked.problems)
        pdt.assert_frame_equal(whole.data, chunked.data)
        _same_cells(whole.quarantine, chunked.quarantine)
        assert list(chunked.quarantine["row"]) == list(csv_load.quarantine["row"] - 1)
        expected = csv_load.problems.assign(file=path.name, row=csv_load.problems["row"] - 1)
        pdt.assert_frame_equal(chunked.problems.drop(columns="message"), expected.drop(columns="message"))
        same = ~expected["rule"].isin(["unique", "primary_key"])  # those messages name the other rows too
        assert list(chunked.problems["message"][same]) == list(expected["message"][same])

    # typed and labelled variables (numbers, dates, value labels), as export_table writes them for SPSS and Stata
    data = csv_loads.participants.data
    exported = export_table(data, "participants", tmp_path / f"typed{suffix}")
    whole = import_table(exported, "participants", engine="python")
    chunked = import_table(exported, "participants", engine="columnar")
    assert whole.problems.empty and len(whole.data) == len(data)
    pdt.assert_frame_equal(whole.data, chunked.data)
    typed = [c for c in data.columns if data[c].dtype != object]  # (lists all empty here come back as NaN)
    assert {"year_group", "care_status", "start_date", "match_ended_early"} <= set(typed)
    pdt.assert_frame_equal(chunked.data[typed].reset_index(drop=True), data[typed].reset_index(drop=True))
