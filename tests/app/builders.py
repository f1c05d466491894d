"""SYNTHETIC: an invented partnership for the app's tests ("Riverside Dance Partnership", a dance company
and a Virtual School). No real person, place or organisation is described. Seeded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20261206
SITE = "Riverside"
N = 40  # young people: 20 mentored, 20 comparison
PARTICIPANT_COLUMNS = ["participant_id", "site", "cohort", "year_group", "education_stage", "care_status",
                       "referral_reasons", "programme", "group", "start_date", "end_date", "match_ended_early"]
HOSTILE = '<img src=x onerror="window.__cmPwned=1"><script>window.__cmPwned=1</script>'


def participants(mistakes: bool = False) -> list[list]:
    """Rows of the participants table. With ``mistakes``, three cells are wrong (say which in MISTAKES)."""
    rng = np.random.default_rng(SEED)
    rows = []
    for i in range(1, N + 1):
        mentored = i <= N // 2
        year = int(rng.integers(7, 11))
        rows.append([f"SYN-RV-{i:03d}", SITE, "2024/25", year, "KS3" if year <= 9 else "KS4", "looked_after",
                     "anxiety_mental_health" if mentored else "", "creative_mentoring" if mentored else "",
                     "mentored" if mentored else "comparison", "16/09/2024" if mentored else "",
                     "18/07/2025" if mentored else "", "no" if mentored else ""])
    if mistakes:
        rows[2][3] = 17  # row 4 in Excel: year group above the maximum of 14
        rows[4][5] = f"in foster care {HOSTILE}"  # row 6: not a care status (and markup, to be shown as text)
        rows[6][9] = "31/02/2024"  # row 8: no such date
    return rows


#: (Excel row, column) of each mistake: what the app must point the user to
MISTAKES = [(4, "year_group"), (6, "care_status"), (8, "start_date")]


def outcomes() -> list[list]:
    """sdq_total and attendance_pct before and after for everyone (mentored improve a little more)."""
    rng = np.random.default_rng(SEED + 1)
    rows = []
    for i in range(1, N + 1):
        pid, mentored = f"SYN-RV-{i:03d}", i <= N // 2
        sdq = int(rng.integers(12, 26))
        att = float(np.round(rng.uniform(70, 92), 1))
        rows += [[pid, "sdq_total", "baseline", "01/10/2024", sdq],
                 [pid, "sdq_total", "post", "15/07/2025", max(0, sdq - int(rng.integers(0, 6 if mentored else 3)))],
                 [pid, "attendance_pct", "baseline", "01/10/2024", att],
                 [pid, "attendance_pct", "post", "15/07/2025", min(100.0, att + float(np.round(
                     rng.uniform(0, 8 if mentored else 3), 1)))]]
    return rows


OUTCOME_COLUMNS = ["participant_id", "measure", "timepoint", "date", "value"]


def fill_workbook(template: Path, out: Path, table: str, columns: list[str], rows: list[list]) -> Path:
    """Fill the template's ``table`` sheet under its headings (field titles, row 1) as a practitioner would,
    and save it as ``out``."""
    from openpyxl import load_workbook

    from cm_research.dictionary import load_schemas

    titles = {f.name: f.title for f in load_schemas()[table].fields}
    book = load_workbook(template)
    sheet = book[table]
    where = {cell.value: cell.column for cell in sheet[1]}
    for r, row in enumerate(rows, start=2):
        for name, value in zip(columns, row):
            sheet.cell(row=r, column=where[titles[name]], value=value)
    book.save(out)
    return out


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


TRANSCRIPTS = {
    "riverside_mentee.txt": ("Ash", "mentee", [
        "My mentor was always there every week, I could trust her and tell her anything.",
        "She listened to me properly, nobody normally listens to what I want.",
        "We made up a dance together and I felt more confident at school after that.",
        f"I wrote this on the wall once: {HOSTILE}",
    ]),
    "riverside_mentor.txt": ("Sam", "mentor", [
        "Building trust took a few weeks, being reliable and turning up mattered most.",
        "Ash started to choose the music and we followed her ideas; she has a real voice now.",
        "Her confidence grew and she performed in front of the group.",
    ]),
    "riverside_carer.txt": ("Jo", "carer", [
        "She trusts her mentor and talks about the sessions at tea.",
        "I have seen her confidence grow, she is proud of the dance.",
    ]),
}


def write_transcript(folder: Path, name: str) -> Path:
    pseudonym, role, turns = TRANSCRIPTS[name]
    lines = ["# SYNTHETIC INTERVIEW for the app's tests: invented, no real person.", f"Pseudonym: {pseudonym}",
             f"Role: {role}", f"Site: {SITE}", "Date: 2025-06-10", "---"]
    for turn in turns:
        lines += ["Interviewer: Tell me more about that.", f"{pseudonym}: {turn}"]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CYCLE = {
    "partnership": "Riverside Dance Partnership", "cycle": "1", "start": "2024-09-02", "end": "2025-07-18",
    "question": "Can weekly dance sessions with a mentor help young people in care feel able to take part?",
    "context": "A dance company and the Riverside Virtual School, nine months, twenty young people.",
    "baseline": "In September few young people said they took part in any arts activity.",
    "observations": "Attendance at sessions was high.\nCarers asked for more sessions.",
    "reflection": "Regular sessions with the same mentor mattered most.",
    "next_cycle": "Try a summer intensive week.",
}
ACTIONS = [("2024-10-07", "dance company", "Weekly sessions began"), ("07/01/2025", "Virtual School",
                                                                      "Carers' evening")]
