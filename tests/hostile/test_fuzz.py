"""Fuzz: a few thousand seeded random mutations of valid files through the CSV and XLSX readers and the QDA
importer (issue 22, "Done when"). Truncation, quote and delimiter flips, encodings, huge fields, byte damage.

For every mutant: no traceback (only cm_research's own error classes), no hang (each read is time-boxed by an
alarm), and for every file that loads, rows in = rows valid + rows quarantined. Seeded, so a failure repeats;
the failing mutant is written beside the test's temporary files and named in the message.
"""

from __future__ import annotations

import io
import random
import signal
import zipfile
from contextlib import contextmanager

import pytest

from cm_research.data import load_table
from cm_research.data.reading import read_raw
from cm_research.errors import CMResearchError
from cm_research.interop.qda.read import import_qda
from tests.conftest import OUTCOMES_HEADER, PARTICIPANTS_HEADER, VALID_OUTCOMES, VALID_PARTICIPANTS
from tests.hostile.builders import G, SOURCE_TEXT, qde, text_source

SEED = 22
# about 2,200 mutants in ~13 s: the reader alone is fast, so most CSV mutants go through it; a share goes through
# the whole load (reading, validation, quarantine), which costs ~30 ms a file
N_CSV_READ, N_CSV_LOAD, N_XLSX, N_QDA = 1600, 120, 80, 360
SECONDS_EACH = 3.0


class Hang(Exception):
    pass


@contextmanager
def time_box(seconds: float):
    def stop(signum, frame):
        raise Hang(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _valid_csv(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "participants", "\n".join([PARTICIPANTS_HEADER, *VALID_PARTICIPANTS]) + "\n"
    return "outcomes", "\n".join([OUTCOMES_HEADER, *VALID_OUTCOMES]) + "\n"


def mutate_text(text: str, rng: random.Random) -> str:
    """One to three random edits of the kinds careless and hostile files show."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["truncate", "quote", "delimiter", "newline", "huge", "duplicate", "swap", "special"])
        at = rng.randrange(len(text) + 1) if text else 0
        if kind == "truncate":
            text = text[:at]
        elif kind == "quote":
            text = text[:at] + rng.choice(['"', '""', "'", '"\n']) + text[at:]
        elif kind == "delimiter":
            old, new = rng.sample([",", ";", "\t", "|"], 2)
            text = text.replace(old, new) if rng.random() < 0.5 else text[:at] + new + text[at:]
        elif kind == "newline":
            text = text[:at] + rng.choice(["\n", "\r", "\r\n", "\n\n"]) + text[at:]
        elif kind == "huge":
            text = text[:at] + rng.choice(["x", '"', "1", ","]) * rng.choice([1000, 140_000]) + text[at:]
        elif kind == "duplicate":
            lines = text.split("\n")
            if lines:
                lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
            text = "\n".join(lines)
        elif kind == "swap" and len(text) > 2:
            i, j = sorted(rng.sample(range(len(text)), 2))
            text = text[:i] + text[j] + text[i + 1:j] + text[i] + text[j + 1:]
        else:
            text = text[:at] + rng.choice(["inf", "1e309", "NaN", "1,5", "=1+1", "\x00", "\ufeff", "é", "😀",
                                           "01/01/68", "-", "AB-01"]) + text[at:]
    return text


def encode(text: str, rng: random.Random) -> bytes:
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1"])
    data = text.encode(encoding, errors="replace")
    if rng.random() < 0.1 and data:  # a damaged byte
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
    return data


def _check_load(path, table: str, failures: list) -> None:
    try:
        with time_box(SECONDS_EACH):
            result = load_table(path, table)
    except CMResearchError:
        return
    except Exception as exc:  # noqa: BLE001 - the point of the test
        failures.append(f"{path.name}: {type(exc).__name__}: {exc}"[:300])
        return
    if result.n_read != len(result.data) + len(result.quarantine):
        failures.append(f"{path.name}: {result.n_read} rows read, {len(result.data)} valid, "
                        f"{len(result.quarantine)} quarantined")


def _check_read(path, failures: list) -> None:
    """The reader's own promises: no traceback, and every data line is a row or a blank row, each row once,
    every row the reader could not read faithfully among the rows (so validation quarantines it)."""
    try:
        with time_box(SECONDS_EACH):
            raw = read_raw(path)
    except CMResearchError:
        return
    except Exception as exc:  # noqa: BLE001 - the point of the test
        failures.append(f"{path.name}: {type(exc).__name__}: {exc}"[:300])
        return
    rows = list(raw.cells.index)
    problem_rows = {p[0] for p in raw.row_problems}
    if len(set(rows)) != len(rows) or set(rows) & set(raw.blank_rows) or not problem_rows <= set(rows):
        failures.append(f"{path.name}: rows {rows}, blank {raw.blank_rows}, problems {sorted(problem_rows)}")


@pytest.mark.parametrize("n, check", [(N_CSV_READ, "read"), (N_CSV_LOAD, "load")])
def test_fuzz_csv_reader(tmp_path, n, check):
    rng = random.Random(SEED + (check == "load"))
    failures: list[str] = []
    for i in range(n):
        table, text = _valid_csv(rng)
        path = tmp_path / f"mutant_{i:04d}.csv"
        path.write_bytes(encode(mutate_text(text, rng), rng))
        before = len(failures)
        if check == "read":
            _check_read(path, failures)
        else:
            _check_load(path, table, failures)
        if len(failures) == before:
            path.unlink()
    assert not failures, f"{len(failures)} of {n} mutants failed (kept in {tmp_path}):\n" + "\n".join(failures[:10])


def _workbook(rng: random.Random) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "outcomes"
    sheet.append(OUTCOMES_HEADER.split(","))
    hostile = ["=1/0", "=A1", float("inf"), 1e308, "x" * 40_000, None, "01/01/68", "1,5", True, -0.0, "AB-01"]
    for line in VALID_OUTCOMES:
        cells = line.split(",")
        if rng.random() < 0.5:
            cells[rng.randrange(len(cells))] = rng.choice(hostile)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_fuzz_xlsx_reader(tmp_path):
    rng = random.Random(SEED)
    failures: list[str] = []
    valid = _workbook(rng)
    for i in range(N_XLSX):
        data = _workbook(rng) if rng.random() < 0.4 else valid
        kind = rng.choice(["truncate", "bytes", "none"])
        if kind == "truncate":
            data = data[:rng.randrange(len(data))]
        elif kind == "bytes":
            data = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        path = tmp_path / f"mutant_{i:04d}.xlsx"
        path.write_bytes(data)
        _check_load(path, "outcomes", failures)
    assert not failures, f"{len(failures)} of {N_XLSX} mutants failed (kept in {tmp_path}):\n" + "\n".join(failures[:10])


def _qdpx(project: str, source: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", project.encode("utf-8", errors="replace"))
        zf.writestr(f"sources/{G(50)}.txt", source)
    return buffer.getvalue()


def test_fuzz_qda_importer(tmp_path):
    rng = random.Random(SEED)
    failures: list[str] = []
    project = qde(text_source(f"internal://{G(50)}.txt") + text_source(f"internal://{G(50)}.txt", "0", "9", n=51))
    for i in range(N_QDA):
        if rng.random() < 0.6:  # damage the XML, the offsets or the source text, then zip it properly
            xml = mutate_text(project, rng)
            for attribute in ("startPosition", "endPosition"):
                if rng.random() < 0.2:
                    xml = xml.replace(f'{attribute}="28"', f'{attribute}="{rng.choice(["abc", "-1", "", "99999999999"])}"')
            data = _qdpx(xml, encode(mutate_text(SOURCE_TEXT, rng), rng))
        else:  # damage the archive itself
            data = bytearray(_qdpx(project, SOURCE_TEXT.encode()))
            if rng.random() < 0.5:
                data = data[:rng.randrange(len(data))]
            for _ in range(rng.randint(1, 10)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        path = tmp_path / f"mutant_{i:04d}.qdpx"
        path.write_bytes(data)
        try:
            with time_box(SECONDS_EACH):
                imported = import_qda(path)
        except CMResearchError:
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}"[:300])
            continue
        # nothing dropped silently: every selection is listed with a status
        if imported.selections["status"].isna().any():
            failures.append(f"{path.name}: a selection without a status")
    assert not failures, f"{len(failures)} of {N_QDA} mutants failed (kept in {tmp_path}):\n" + "\n".join(failures[:10])


@pytest.mark.parametrize("text", ["", "\n\n", '"', "a\n" + '"' * 3, "\ufeff"])
def test_degenerate_csv_files(tmp_path, text):
    path = tmp_path / "participants.csv"
    path.write_text(text, encoding="utf-8")
    failures: list[str] = []
    _check_load(path, "participants", failures)
    assert not failures
