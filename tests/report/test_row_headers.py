"""Result tables in the HTML reports head each row with its first column when that column labels the rows
(WCAG 2.1 1.3.1: a screen reader then reads "Attendance (%)" with each number of that row), by the same rule as
the reports' Word copies (:func:`cm_research.report.tables.labels_rows`): a first column of numbers, withheld
counts ``c`` or blanks labels nothing and stays data cells.

The small tables are built here (synthetic values); the last test reads every page of the shared demo run."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from cm_research.report import display as display_module
from cm_research.report.display import show_table
from cm_research.report.tables import labels_rows


def _shown(table: pd.DataFrame, monkeypatch) -> BeautifulSoup:
    shown = []
    monkeypatch.setattr(display_module, "display", lambda obj: shown.append(obj))
    show_table(table, "A synthetic table")
    return BeautifulSoup("".join(o.data for o in shown if hasattr(o, "data")), "html.parser")


def _first_cells(soup: BeautifulSoup) -> list:
    return [tr.find(["th", "td"]) for tr in soup.find("tbody").find_all("tr")]


def test_a_first_column_of_labels_heads_the_rows(monkeypatch):
    table = pd.DataFrame({"measure": ["attendance_pct", "suspensions"], "estimate": [4.2, -0.5],
                          "p_val": [0.012, 0.3]})
    soup = _shown(table, monkeypatch)
    heads = _first_cells(soup)
    assert [(c.name, c.get("scope"), c.get_text()) for c in heads] == [
        ("th", "row", "attendance_pct"), ("th", "row", "suspensions")]
    assert all(len(tr.find_all("th")) == 1 for tr in soup.find("tbody").find_all("tr"))  # only the label
    assert all(th.get("scope") != "row" for th in soup.find("thead").find_all("th"))  # column headings untouched
    # the header keeps the data cell's id and class, so the table's own style (left-aligned text) still applies
    assert "col0" in heads[0]["class"] and heads[0]["id"].endswith("_row0_col0")


@pytest.mark.parametrize("first", [[2022, 2023, 2024], ["12", "c", ""], [0.5, -1.25, 3.0], ["4%", "\u22122", "1,204"]])
def test_a_first_column_of_numbers_withheld_counts_or_blanks_stays_data(first, monkeypatch):
    table = pd.DataFrame({"value": first, "n": [10, 11, 12]})
    assert all(c.name == "td" and not c.has_attr("scope") for c in _first_cells(_shown(table, monkeypatch)))


def test_a_single_column_heads_no_rows_and_a_blank_label_stays_a_data_cell(monkeypatch):
    assert all(c.name == "td" for c in _first_cells(_shown(pd.DataFrame({"site": ["Easton"]}), monkeypatch)))
    table = pd.DataFrame({"site": ["Easton", ""], "n": [3, 4]})  # a withheld label: an empty header names nothing
    assert [c.name for c in _first_cells(_shown(table, monkeypatch))] == ["th", "td"]


def test_the_rule_is_the_word_copys_rule():
    # written out by hand: what the Word writer treats as labels (word._word_table calls the same function)
    assert labels_rows(["Attendance (%)", "12"], 3) and labels_rows(["c", "2022/23"], 2)
    assert not labels_rows(["1", "2.5", "\u22123", "c", "", "40%", "1,204"], 4)
    assert not labels_rows(["Attendance (%)"], 1)


def _tables(page: str) -> list:
    """Each table of a report page, parsed on its own (the page's embedded figures and styles are not)."""
    import re

    return [BeautifulSoup(t, "html.parser").table for t in re.findall(r"<table\b.*?</table>", page, re.S | re.I)]


@pytest.mark.notebook
def test_every_demo_table_whose_first_column_labels_rows_has_row_headers(shared_demo_run):
    pages = sorted(shared_demo_run.rglob("*.html"))
    assert len(pages) >= 10
    labelled = numbered = 0
    for page in pages:
        for table in _tables(page.read_text(encoding="utf-8")):
            body = table.tbody or table
            rows = [tr.find_all(["th", "td"]) for tr in body.find_all("tr")]
            rows = [r for r in rows if r and r[0].find_parent("thead") is None]
            if not rows:
                continue
            name = f"{page.relative_to(shared_demo_run)}: {table.caption or table.get('aria-label')}"
            first = [r[0] for r in rows]
            if labels_rows([c.get_text(strip=True) for c in first], max(len(r) for r in rows)):
                labelled += 1
                for cell in first:  # a blank (withheld) label stays a data cell: an empty header names nothing
                    text = cell.get_text(strip=True)
                    assert (cell.name == "th" and cell.get("scope") == "row") or not text, (name, str(cell)[:200])
            else:
                numbered += 1
                assert all(c.name == "td" for c in first), name
    assert labelled >= 100, labelled  # the demo's result tables, figure data tables and the run's index
    assert numbered >= 1, numbered  # e.g. "New codes by interview", numbered 1, 2, 3: left as data cells
