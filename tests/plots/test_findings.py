"""Alt text that states a figure's finding, and the figure's data as a table beside it (WCAG 2.1 1.1.1).

Each test draws a tiny figure from a table whose numbers are worked out by hand here, then reads the alt text
(:func:`cm_research.report.figures.describe_figure`) and the "Data for this figure" table
(:func:`cm_research.report.figures.data_details`)."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib import pyplot as plt

from cm_research.plots.published import agreement_figure, group_means_plot
from cm_research.plots.qual import plot_code_frequency, plot_theme_role
from cm_research.plots.quality import plot_completeness
from cm_research.report.figures import data_details, describe_figure


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def _table(fig, alt: str) -> pd.DataFrame:
    soup = BeautifulSoup(data_details(fig, alt), "html.parser")
    assert soup.details.summary.get_text() == "Data for this figure"
    return pd.DataFrame(
        [[td.get_text() for td in tr.find_all(["th", "td"])] for tr in soup.table.tbody.find_all("tr")],
        columns=[th.get_text() for th in soup.table.thead.find_all("th")])


def test_group_means_alt_text_says_how_each_group_changed():
    # mentored: mean 84 at baseline, 90 at post (rose); comparison: 85 at both (stayed)
    table = pd.DataFrame({"group": ["mentored", "mentored", "comparison", "comparison"],
                          "timepoint": ["baseline", "post"] * 2, "young_people": [20, 20, 30, 30],
                          "mean": [84.0, 90.0, 85.0, 85.0], "ci_low": [80.0, 86.0, 82.0, 82.0],
                          "ci_high": [88.0, 94.0, 88.0, 88.0]})
    fig = group_means_plot(table, "Attendance (%)").figure
    alt = describe_figure(fig)
    assert alt == ('Line chart titled "Attendance (%)": Mean Attendance (%) rose from 84.0 to 90.0 among '
                   "mentored young people and stayed at 85.0 in the comparison group.")
    data = _table(fig, alt)
    assert list(data["mean"]) == ["84.0", "90.0", "85.0", "85.0"] and len(data) == 4


def test_group_means_with_a_withheld_group_says_fewer_than_6_not_the_number():
    table = pd.DataFrame({"group": ["mentored", "mentored", "comparison", "comparison"],
                          "timepoint": ["baseline", "post"] * 2, "young_people": [12, 12, "c", "c"],
                          "mean": [15.5, 13.9, float("nan"), float("nan")], "ci_low": [13.0, 11.0, None, None],
                          "ci_high": [18.0, 16.8, None, None]})
    fig = group_means_plot(table, "SDQ total difficulties").figure
    alt = describe_figure(fig)
    assert ("Mean SDQ total difficulties fell from 15.5 to 13.9 among mentored young people and is not shown in "
            "the comparison group (fewer than 6 young people at a timepoint).") in alt
    assert list(_table(fig, alt)["young_people"]) == ["12", "12", "not shown", "not shown"]


def test_completeness_alt_text_gives_the_range_and_the_lowest_cell():
    # shown cells: 100, 75, 90 -> range 75% to 100%, lowest sdq_total at post in the mentored group; one of 4
    # cells withheld (a count from 1 to 5)
    missingness = pd.DataFrame({"measure": ["attendance_pct"] * 2 + ["sdq_total"] * 2,
                                "timepoint": ["baseline", "post"] * 2,
                                "group": ["mentored"] * 4,
                                "n_expected": [20, 20, 20, 20], "n_recorded": [20, "c", 18, 15],
                                "n_missing": [0, "c", 2, 5], "pct_recorded": [100.0, "c", 90.0, 75.0]})
    fig = plot_completeness(missingness).figure
    alt = describe_figure(fig)
    assert alt.startswith('Heat map titled "Outcome data recorded (%)": ')
    assert ("Outcome data were recorded for between 75% and 100% of young people in each measure, timepoint and "
            "group shown; the lowest was sdq_total at post in the mentored group (75%). 1 of 4 cells are not shown, "
            "to protect counts of fewer than 6.") in alt
    assert list(_table(fig, alt)["pct_recorded"]) == ["100.0", "not shown", "90.0", "75.0"]
    assert "not shown: withheld to protect counts of fewer than 6" in data_details(fig, alt)


def test_completeness_alt_text_when_every_cell_shown_is_the_same():
    # both shown cells 100%: no "between 100% and 100%"
    missingness = pd.DataFrame({"measure": ["attendance_pct"] * 2, "timepoint": ["baseline", "post"],
                                "group": ["mentored"] * 2, "pct_recorded": [100.0, 100.0]})
    alt = describe_figure(plot_completeness(missingness).figure)
    assert alt.endswith("Outcome data were recorded for 100% of young people in each of the 2 cells of measure, "
                        "timepoint and group shown.")


def test_theme_role_alt_text_names_the_most_shared_theme():
    # shares: Trust 8/10 = 80% of mentees, 3/6 = 50% of mentors (suppressed: c), Creative 6/10 = 60%
    data = pd.DataFrame({"theme_label": ["Trust", "Trust", "Creative", "Creative"],
                         "role": ["mentee", "mentor", "mentee", "mentor"],
                         "n_participants": [8, "c", 6, 0], "n_role_participants": [10, "c", 10, "c"],
                         "share_participants": [0.8, "c", 0.6, "c"]})
    alt = describe_figure(plot_theme_role(data).figure)
    assert ('The most widely shared theme was "Trust", raised by 80% of the mentee participants. 2 of 4 theme and '
            "role cells are not shown, to protect counts of fewer than 6.") in alt
    assert "3" not in alt.split(":", 1)[1]  # the withheld count is never said


def test_code_frequency_all_suppressed_says_fewer_than_6():
    data = pd.DataFrame({"code_label": ["Trust", "Trust"], "role": ["mentee", "mentor"],
                         "share_participants": ["c", "c"]})
    fig = plot_code_frequency(data).figure
    alt = describe_figure(fig)
    assert alt == "No bar is shown: every code and role cell is withheld to protect counts of fewer than 6."
    assert list(_table(fig, alt)["share_participants"]) == ["not shown"] * 2


def test_agreement_alt_text_names_the_most_agreed_statement_per_wave():
    # baseline: 60% and 40% agree -> "Venues" 60%; post: "Venues" withheld, "Cost" 70%
    summary = pd.DataFrame({"wave": ["baseline", "baseline", "post", "post"],
                            "item": ["venues", "cost"] * 2, "label": ["Venues", "Cost"] * 2,
                            "pct_disagree": [20.0, 30.0, "c", 10.0], "pct_neutral": [20.0, 30.0, "c", 20.0],
                            "pct_agree": [60.0, 40.0, "c", 70.0]})
    alt = describe_figure(agreement_figure(summary, ["baseline", "post"]))
    assert alt.endswith('Baseline: most agreed with "Venues" (60% agree). Post: most agreed with "Cost" '
                        "(70% agree); 1 of 2 statements are not shown, to protect counts of fewer than 6.")


def test_a_withheld_c_in_an_alt_text_is_said_in_words_never_as_a_count():
    from cm_research.report.html import plain_alt_text

    alt = ("Bar chart of reliable change: reliable improvement: c; no reliable change: c; reliable deterioration: 0 "
           "(c: from 1 to 5, not shown).")
    assert plain_alt_text(alt) == ("Bar chart of reliable change: reliable improvement: not shown; no reliable "
                                   "change: not shown; reliable deterioration: 0. Values not shown are withheld to "
                                   "protect counts of fewer than 6.")
    assert plain_alt_text("Attendance 84.0 at baseline.") == "Attendance 84.0 at baseline."  # nothing withheld


def test_a_figure_with_no_recorded_data_is_followed_by_the_numbers_it_draws():
    from cm_research.report.figures import drawn_data

    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [3, 5])  # two bars: A 3, B 5
    ax.plot([0, 1], [4, 6], label="so far")  # a labelled line: (0, 4), (1, 6)
    ax.axvline(0.5, label="marker")  # spans the axes: no data
    table = drawn_data(fig)
    assert list(zip(table["category"], table["value"])) == [("A", 3.0), ("B", 5.0), ("0", 4.0), ("1", 6.0)]
    assert list(table["series"])[2:] == ["so far", "so far"]
    assert "Data for this figure" in data_details(fig, "Bar chart: A and B")
