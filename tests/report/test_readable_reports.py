"""What a lay reader sees (issue 18): sentences on the awkward cases, tables with headings in words, whole counts
and one note per table, and figure alt texts written from the figure itself."""

from __future__ import annotations

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from cm_research.report.figures import describe_figure  # noqa: E402
from cm_research.report.site_report import describe_costs, limits_sentences  # noqa: E402
from cm_research.report.tables import column_heading, readable_table  # noqa: E402
from cm_research.report.wording import and_list, whole  # noqa: E402

from tests.report.test_site_report_sentences import _outcomes, _people  # noqa: E402


def test_counts_are_whole_and_years_are_joined_with_and():
    assert whole(18.0) == "18" and whole(np.float64(18.0)) == "18" and whole("c") == "c" and whole(2.5) == "2.5"
    assert and_list(["2022/23"]) == "2022/23" and and_list(["2022/23", "2023/24"]) == "2022/23 and 2023/24"
    assert and_list(["a", "b", "c"]) == "a, b and c"
    row = {"years": "2022/23, 2023/24", "total_cost": 20_000.0, "n_mentored": 18.0, "cost_per_young_person": 1111.1,
           "n_improved": np.nan, "cost_per_improved": np.nan, "note": ""}
    text = describe_costs(row)
    assert text.startswith("In 2022/23 and 2023/24, the programme cost £20,000 for 18 mentored young people")


def test_nobody_lost_is_said_plainly():
    # 24 mentored measured at baseline and all 24 again at post (the helper measures everyone at both)
    sentences = limits_sentences(_people(24, 10), _outcomes(24, 0), "attendance_pct", "Attendance")
    assert sentences[1] == "All 24 mentored young people measured at baseline were measured again at post."
    assert "0% missing" not in " ".join(sentences) and "those lost" not in " ".join(sentences)


def test_tables_read_in_words_with_whole_counts_p_values_and_one_note():
    table = pd.DataFrame({"measure": ["sdq_total", "swemwbs"], "n_pairs": [18.0, 20.0], "p_val": [0.0004, 0.0412],
                          "pct_of_mentored": [12.5, 40.0], "mentor_fees": [100.0, 200.0], "cohort": ["2023/24"] * 2,
                          "note": ["Wilcoxon signed-rank;\nexact p;\nties dropped"] * 2})
    shown, notes = readable_table(table)
    assert list(shown.columns) == ["Measure", "Measured twice", "p", "% of mentored", "Mentor fees", "Cohort"]
    assert shown["Measured twice"].tolist() == [18, 20] and all(isinstance(v, int) for v in shown["Measured twice"])
    assert shown["p"].tolist() == ["< 0.001", "0.041"]  # never "0.00"
    assert notes == ["Wilcoxon signed-rank;\nexact p;\nties dropped"]
    distinct = table.assign(note=["first", "second"])  # a note per row that says something different stays
    assert "Note" in readable_table(distinct)[0].columns
    assert column_heading("participant_id") == "Participant id"  # the dictionary's title
    suppressed = readable_table(pd.DataFrame({"young_people": [12.0, "c"]}))[0]
    assert suppressed["Young people"].tolist() == [12, "c"]


def test_alt_text_is_written_from_what_the_figure_draws():
    fig, (bars, dots) = plt.subplots(1, 2)
    bars.bar(["music", "film", "drama"], [3, 5, 2])
    bars.set_title("Sessions by activity")
    bars.set_ylabel("Hours")
    dots.scatter([1, 2, 3], [3, 1, 2])
    dots.set_xlabel("Before")
    dots.set_ylabel("After")
    alt = describe_figure(fig)
    assert alt == ('2 panels. Bar chart titled "Sessions by activity"; horizontal axis music, film, drama; vertical '
                   "axis Hours. Scatter plot; horizontal axis Before; vertical axis After.")
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.imshow([[1, 2], [3, 4]])
    ax.set_title("Themes by role")
    assert describe_figure(fig).startswith('Heat map titled "Themes by role"')
    plt.close(fig)


def test_a_figure_with_nothing_drawn_is_described_by_what_it_says():
    """A chart whose every bar is suppressed shows only a message; its alt text must say that message."""
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "too few participants in each role to show", ha="center", transform=ax.transAxes)
    ax.set_axis_off()
    assert describe_figure(fig) == "A figure with nothing drawn, which reads: too few participants in each role to show."
    plt.close(fig)
    fig, _ = plt.subplots()
    assert describe_figure(fig) == "An empty figure."
    plt.close(fig)
