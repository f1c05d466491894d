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
