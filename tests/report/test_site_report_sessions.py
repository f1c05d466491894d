"""Sessions in the site report: counts, hours and quartiles worked out by hand on a small table, small groups
suppressed (with the next smallest row when one alone would be revealed by the total), and the report section
present only when a sessions table is supplied."""

import re
import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cm_research.privacy.suppression import suppression_note
from cm_research.data.loading import load_table
from cm_research.datasets import demo_site_dir
from cm_research.report.site_report import (describe_sessions, sessions_barplot, sessions_figure_alt, site_report,
                                            sessions_summary)

PEOPLE = pd.DataFrame({"participant_id": [f"YP-{i}" for i in range(1, 8)]})
# attended sessions: music P1 P2 P3 twice each (60 min, community); film P1 30, P4 60, P5 45 twice (home);
# clay P6 90 (school); drama P7 30 twice (online); sport P2 90, P3 30 (community); P1 missed one music session.
ROWS = """participant_id,session_date,minutes,activity,setting,attended
YP-1,02/10/2023,60,music,community,yes
YP-1,09/10/2023,60,music,community,yes
YP-1,16/10/2023,0,music,community,no
YP-2,02/10/2023,60,music,community,yes
YP-2,09/10/2023,60,music,community,yes
YP-3,02/10/2023,60,music,community,yes
YP-3,09/10/2023,60,music,community,yes
YP-1,23/10/2023,30,film,home,yes
YP-4,02/10/2023,60,film,home,yes
YP-5,02/10/2023,45,film,home,yes
YP-5,09/10/2023,45,film,home,yes
YP-6,02/10/2023,90,clay,school,yes
YP-7,02/10/2023,30,drama,online,yes
YP-7,09/10/2023,30,drama,online,yes
YP-2,16/10/2023,90,sport,community,yes
YP-3,16/10/2023,30,sport,community,yes
"""


def _sessions(tmp_path, text=ROWS):
    path = tmp_path / "sessions.csv"
    path.write_text(text)
    loaded = load_table(path, "sessions", references={"participants": PEOPLE})
    assert loaded.problems.empty, loaded.problems.to_string()
    return loaded.data


def _rows(table, label):
    return {r[label]: (r["young_people"], r["sessions"], r["minutes"], r["hours"]) for r in table.to_dict("records")}


def test_by_activity_and_setting_counted_by_hand(tmp_path):
    tables = sessions_summary(_sessions(tmp_path), threshold=1)
    # one young person in clay and in drama: withheld; two rows hidden, so the total reveals neither
    assert _rows(tables["by_activity"], "activity") == {
        "music": (3, 6, 360, 6.0), "film": (3, 4, 180, 3.0), "sport": (2, 2, 120, 2.0),
        "clay": ("c", "c", "c", "c"), "drama": ("c", "c", "c", "c"),
        "total": (7, 15, 810, 13.5)}  # 7 different young people; 6 + 4 + 1 + 2 + 2 sessions; 810 / 60 hours
    # most sessions first, ties by name (drama and sport both 2)
    assert list(tables["by_activity"]["activity"]) == ["music", "film", "drama", "sport", "clay", "total"]
    assert _rows(tables["by_setting"], "setting") == {
        "community": (3, 8, 480, 8.0), "home": (3, 4, 180, 3.0), "school": ("c", "c", "c", "c"),
        "online": ("c", "c", "c", "c"), "total": (7, 15, 810, 13.5)}


def test_sessions_per_young_person_median_and_quartiles_by_hand(tmp_path):
    per = sessions_summary(_sessions(tmp_path), threshold=1)["per_young_person"].iloc[0]
    # attended sessions each: P1 3, P2 3, P3 3, P4 1, P5 2, P6 1, P7 2 -> sorted 1 1 2 2 3 3 3 (n = 7).
    # type 7 quantile at p: x[(n-1)p] interpolated; (n-1)p = 1.5 -> 1 + 0.5 (2 - 1) = 1.5; 3 -> 2; 4.5 -> 3
    # one missed session: a total of events from 1 to the threshold is c (one child's; privacy.events)
    assert per["young_people"] == 7 and per["missed_sessions"] == "c"
    assert sessions_summary(_sessions(tmp_path), suppress=False)["per_young_person"].iloc[0]["missed_sessions"] == 1
    assert (per["lower_quartile"], per["median_sessions"], per["upper_quartile"]) == pytest.approx((1.5, 2, 3))


def test_one_hidden_row_brings_the_next_smallest_with_it(tmp_path):
    text = "\n".join(line for line in ROWS.splitlines() if ",drama," not in line) + "\n"
    table = sessions_summary(_sessions(tmp_path, text), threshold=1)["by_activity"]
    # clay alone would be total (13) - music 6 - film 4 - sport 2 = 1 session: sport, the fewest, is hidden too
    assert _rows(table, "activity") == {"music": (3, 6, 360, 6.0), "film": (3, 4, 180, 3.0),
                                        "sport": ("c", "c", "c", "c"), "clay": ("c", "c", "c", "c"),
                                        "total": (6, 13, 750, 12.5)}


def test_default_threshold_hides_everything_about_seven_young_people_by_activity(tmp_path):
    tables = sessions_summary(_sessions(tmp_path))  # threshold 5: every activity has 1 to 3 young people
    by_activity = tables["by_activity"].set_index("activity")
    assert (by_activity.drop(index="total")[["young_people", "sessions", "minutes"]] == "c").all().all()
    assert by_activity.loc["total", "sessions"] == 15  # two or more hidden rows: the total alone reveals none
    few = sessions_summary(_sessions(tmp_path), threshold=7)  # 7 young people in all: nothing published
    assert (few["by_activity"][["young_people", "sessions"]] == "c").all().all()
    assert few["per_young_person"].iloc[0]["young_people"] == "c"
    assert describe_sessions(few).startswith("Too few young people")


def test_sentence_and_alt_text_are_written_from_the_numbers(tmp_path):
    tables = sessions_summary(_sessions(tmp_path), threshold=1)
    assert describe_sessions(tables) == ("15 sessions (13.5 hours) were attended by 7 young people: a median of 2 "
                                         "sessions each (half had between 1.5 and 3). A few planned sessions were "
                                         "missed (how many is not shown: so few can describe one young person) and "
                                         "are not counted.")  # 1 missed: c at threshold 1
    alt, caption = sessions_figure_alt(tables["by_activity"], "activity", threshold=1)
    assert "music 6.0 hours; film 3.0 hours; sport 2.0 hours" in alt and "2 more not shown" in alt
    ax = sessions_barplot(tables["by_activity"], "hours", "activity")
    # every row but the total, in the table's order; the two hidden ones keep their place with no bar and a "c"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [a for a in tables["by_activity"]["activity"] if a != "total"] and len(labels) == 5
    assert sorted(p.get_width() for p in ax.patches if p.get_width() > 0) == [2.0, 3.0, 6.0]
    hidden = [labels[int(a.xy[1])] for a in ax.texts if a.get_gid() == "suppressed"]
    assert len(hidden) == 2 and not {"music", "film", "sport"} & set(hidden)
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def site_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    for name in ("participants.csv", "outcomes.csv"):
        shutil.copy(demo_site_dir("westbury") / name, folder / name)
    return folder


def test_site_report_has_no_sessions_section_without_a_sessions_table(site_copy, tmp_path):
    report = site_report(site_copy, tmp_path / "out", site="Westbury", n_boot=50)
    assert report.sessions is None and not any(k.startswith("sessions_") for k in report.figures)
    assert not list((tmp_path / "out").glob("sessions_*"))


def test_site_report_reads_the_sessions_table_and_logs_bad_rows(site_copy, tmp_path):
    people = pd.read_csv(site_copy / "participants.csv")
    mentees = people.loc[people["group"] == "mentored", "participant_id"].tolist()[:8]
    lines = ["participant_id,session_date,minutes,activity,setting,attended"]
    lines += [f"{pid},0{d}/10/2023,60,music,home,yes" for pid in mentees for d in (2, 9)]  # 8 people, 16 sessions
    lines.append("SYN-WB-9999,02/10/2023,60,music,home,yes")  # no such young person: held back, listed
    sessions_file = tmp_path / "my_sessions.csv"
    sessions_file.write_text("\n".join(lines) + "\n")
    report = site_report(site_copy, tmp_path / "out", site="Westbury", n_boot=50, sessions_file=sessions_file)
    assert _rows(report.sessions["by_activity"], "activity") == {"music": (8, 16, 960, 16.0),
                                                                "total": (8, 16, 960, 16.0)}
    bad = report.problems[report.problems["file"] == "my_sessions.csv"]
    assert bad[["row", "column", "rule"]].values.tolist() == [[18, "participant_id", "foreign_key"]]
    for name in ("sessions_activity", "sessions_setting"):
        assert re.search(r'<img [^>]*alt="Bar chart of hours[^"]+"', report.figures[name])
        assert (tmp_path / "out" / f"{name}.png").exists()
    written = pd.read_csv(tmp_path / "out" / "sessions_by_activity.csv")
    assert written["sessions"].tolist() == [16, 16]
    assert not any("SYN-" in (tmp_path / "out" / f).read_text() for f in
                   ("sessions_by_activity.csv", "sessions_by_setting.csv", "sessions_per_young_person.csv"))


def test_the_number_with_sessions_is_hidden_when_the_mentored_total_minus_it_is_small(tmp_path):
    """7 young people attended sessions; with 8 mentored (a number the report publishes), "attended by 7"
    gives away the 1 mentored young person who never attended; with 20 mentored, 13 without is not small."""
    sessions = _sessions(tmp_path)
    hidden = sessions_summary(sessions, threshold=1, mentored=8)
    assert hidden["per_young_person"]["young_people"].iloc[0] == "c"
    assert hidden["by_activity"].set_index("activity").loc["total", "young_people"] == "c"
    assert hidden["by_setting"].set_index("setting").loc["total", "young_people"] == "c"
    # the median and quartiles describe 7 young people: still given
    assert hidden["per_young_person"]["median_sessions"].iloc[0] == 2
    text = describe_sessions(hidden)
    assert text.startswith("15 sessions (13.5 hours) were attended by mentored young people (how many is not shown")
    assert not re.search(r"\b7\b", text)
    shown = sessions_summary(sessions, threshold=1, mentored=20)
    assert shown["per_young_person"]["young_people"].iloc[0] == 7
    assert shown["by_activity"].set_index("activity").loc["total", "young_people"] == 7
    # a table with nothing else hidden (whole-number columns): music and film only, 5 young people, 6 mentored
    text = "\n".join(line for line in ROWS.splitlines() if not line.startswith("YP-") or ",music," in line
                     or ",film," in line) + "\n"
    few = sessions_summary(_sessions(tmp_path, text), threshold=1, mentored=6)
    assert few["by_activity"]["young_people"].tolist() == [3, 3, "c"]
    # the sentence under the table says why its total is hidden, not that nothing was suppressed
    for table in (hidden["by_activity"], hidden["by_setting"], few["by_activity"]):
        note = suppression_note(table)
        assert "nothing was suppressed" not in note
        assert "total number of young people is shown as c" in note
    assert "total number of young people" not in suppression_note(shown["by_activity"])
