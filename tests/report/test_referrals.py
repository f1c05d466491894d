"""The referral and activity profile on eight mentored young people written out below: every count, wait,
median and quartile is worked out by hand in the comments, and small counts are suppressed."""

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cm_research.privacy.suppression import SUPPRESSED  # noqa: E402

from cm_research.report.referrals import (age_and_stage, describe_referral_profile, profile_barplot,  # noqa: E402
                                          profile_figure_alt, programme_length, reasons_per_young_person,
                                          referral_profile, referral_reasons, referral_waits,
                                          sessions_per_young_person)

T = pd.Timestamp
NA = pd.NaT
# id, reasons, year group, stage, referral date, start date, end date
PEOPLE = [
    ("M1", ["anxiety_mental_health", "school_avoidance"], 8, "KS3", T("2023-09-01"), T("2023-09-20"), T("2024-03-20")),
    ("M2", ["anxiety_mental_health"], 9, "KS3", T("2023-09-04"), T("2023-09-11"), NA),
    ("M3", ["exclusion_risk", "poor_engagement", "anxiety_mental_health"], 10, "KS4", T("2023-09-01"),
     T("2023-10-20"), T("2024-01-12")),
    ("M4", ["school_avoidance"], 5, "KS2", NA, T("2023-09-15"), T("2024-02-16")),
    ("M5", ["anxiety_mental_health", "relationship_difficulties"], 12, "Post-16", T("2023-10-01"), T("2023-09-25"), NA),
    ("M6", float("nan"), None, "KS3", T("2023-09-01"), NA, NA),
    ("M7", ["poor_engagement"], 7, "KS2", T("2023-09-10"), T("2023-12-01"), T("2024-06-28")),
    ("M8", ["anxiety_mental_health"], 3, "KS2", T("2023-09-15"), T("2023-10-02"), T("2024-04-01")),
]
PARTICIPANTS = pd.concat([
    pd.DataFrame(PEOPLE, columns=["participant_id", "referral_reasons", "year_group", "education_stage",
                                  "referral_date", "start_date", "end_date"]).assign(group="mentored"),
    pd.DataFrame({"participant_id": ["C1", "C2"], "group": "comparison", "year_group": [8, 9],
                  "education_stage": ["KS3", "KS3"]})], ignore_index=True).astype({"year_group": "Int64"})
# M1 missed 18/09, so its first session is 20/09; M2's third session has no minutes; C1 is not mentored.
SESSIONS = pd.DataFrame(
    [("M1", "2023-09-18", 0, False), ("M1", "2023-09-20", 60, True), ("M1", "2023-09-27", 45, True),
     ("M2", "2023-09-11", 60, True), ("M2", "2023-09-18", 60, None), ("M2", "2023-09-25", None, True),
     ("M3", "2023-10-20", 90, True), ("M4", "2023-09-15", 30, True),
     ("M7", "2023-12-01", 60, True), ("M7", "2023-12-08", 60, True), ("C1", "2023-10-01", 60, True)],
    columns=["participant_id", "session_date", "minutes", "attended"]).astype({"minutes": "Int64",
                                                                               "attended": "boolean"})


def _col(table, label, column="young_people"):
    return dict(zip(table[label], table[column]))


def test_reasons_counted_by_hand():
    # anxiety: M1 M2 M3 M5 M8; poor engagement: M3 M7; school avoidance: M1 M4; exclusion: M3; relationships: M5
    t = referral_reasons(PARTICIPANTS, threshold=1)
    assert t["reason"].tolist() == ["anxiety mental health", "poor engagement", "school avoidance",
                                    "exclusion risk", "relationship difficulties"]
    assert t["young_people"].tolist() == [5, 2, 2, "c", "c"]
    assert t["pct_of_mentored"].tolist() == [62.5, 25.0, 25.0, "c", "c"]  # of 8 mentored
    assert set(referral_reasons(PARTICIPANTS)["young_people"]) == {"c"}  # all 1 to 5


def test_number_of_reasons_with_secondary_suppression():
    unsuppressed = reasons_per_young_person(PARTICIPANTS, suppress=False)
    # one reason: M2 M4 M7 M8; two: M1 M5; three: M3; none: M6
    assert _col(unsuppressed, "reasons") == {"1 reason": 4, "2 reasons": 2, "3 or more reasons": 1,
                                             "none recorded": 1, "total": 8}
    assert _col(unsuppressed, "reasons", "pct_of_mentored")["2 reasons"] == 25.0
    # threshold 1: the two 1s are hidden; as both are at least 1 and sum to 8 - 4 - 2 = 2, each would be
    # known to be 1, so the next smallest cell (2 reasons) is hidden too.
    t = reasons_per_young_person(PARTICIPANTS, threshold=1)
    assert t["young_people"].tolist() == [4, "c", "c", "c", 8]


def test_age_bands_and_stage_problems():
    t = age_and_stage(PARTICIPANTS, suppress=False)
    # years 8, 9, 7 -> KS3 band; 10 -> KS4; 5, 3 -> KS2; 12 -> Post-16; M6 not recorded; comparison left out
    assert _col(t, "year_groups") == {"Reception": 0, "Years 1 to 2": 0, "Years 3 to 6": 2, "Years 7 to 9": 3,
                                      "Years 10 to 11": 1, "Years 12 to 13": 1, "Beyond Year 13": 0,
                                      "not recorded": 1, "total": 8}
    assert _col(t, "year_groups", "typical_ages")["Years 7 to 9"] == "11 to 14"
    assert _col(t, "year_groups", "education_stage")["Years 10 to 11"] == "KS4"
    assert _col(age_and_stage(PARTICIPANTS), "year_groups")["total"] == 8
    problems = referral_profile(PARTICIPANTS).problems
    stage = problems[problems["column"] == "education_stage"]
    assert stage["participant_id"].tolist() == ["M7"]  # year 7 is KS3, KS2 recorded
    assert "year group 7 is KS3" in stage["problem"].iloc[0]


def test_waits_worked_out_by_hand():
    waits = referral_waits(PARTICIPANTS, SESSIONS, suppress=False)
    # M1 01/09 -> 20/09 = 19 days; M2 04/09 -> 11/09 = 7; M3 01/09 -> 20/10 = 49; M7 10/09 -> 01/12 = 82;
    # M8 (no session: start date) 15/09 -> 02/10 = 17; M4 no referral date; M6 no session or start date;
    # M5 first session (start date 25/09) 6 days before its referral (01/10).
    assert _col(waits["coverage"], "wait") == {"wait known": 5, "no referral date": 1,
                                               "no first session or start date": 1,
                                               "first session before referral (data problem)": 1, "total": 8}
    # sorted 7 17 19 49 82: median 19; type 7 quartiles at positions (5-1)*0.25 = 1 and 3 -> 17 and 49
    spread = waits["spread"].iloc[0]
    assert (spread["young_people"], spread["median"], spread["lower_quartile"], spread["upper_quartile"]) == (
        5, 19, 17, 49)
    # up to 14 days: 7; 15-28: 17 19; 29-56: 49; 57+: 82
    assert _col(waits["bands"], "wait") == {"up to 2 weeks": 1, "2 to 4 weeks": 2, "4 to 8 weeks": 1,
                                            "more than 8 weeks": 1, "total": 5}
    assert _col(waits["bands"], "wait", "pct_of_known_waits")["2 to 4 weeks"] == 40.0
    assert waits["problems"][["participant_id", "value"]].values.tolist() == [["M5", "2023-10-01"]]
    assert "6 days before the referral date" in waits["problems"]["problem"].iloc[0]
    assert _col(waits["sources"], "first_session_from") == {"sessions": 5, "start_date": 2}  # M5, M8 from start


def test_waits_suppressed_and_withheld():
    waits = referral_waits(PARTICIPANTS, SESSIONS)  # threshold 5: 5 known waits is too few for a median
    assert waits["coverage"]["young_people"].tolist() == ["c", "c", "c", "c", 8]
    assert waits["spread"].iloc[0]["young_people"] == "c" and pd.isna(waits["spread"].iloc[0]["median"])
    assert waits["bands"]["young_people"].tolist() == ["c"] * 5  # the total, 5, is small too
    # threshold 1: the three 1s sum to 8 - 5 = 3, so each would be known to be 1: "wait known" is hidden too;
    # its 5 waits are more than the threshold, so the median (19 days, above) is still given, with n hidden
    small = referral_waits(PARTICIPANTS, SESSIONS, threshold=1)
    assert small["coverage"]["young_people"].tolist() == ["c", "c", "c", "c", 8]
    assert small["spread"].iloc[0]["young_people"] == "c" and small["spread"].iloc[0]["median"] == 19
    # and the bands' total is that same "wait known": shown as 5 under the bands it gave the coverage back
    # (8 - 5 = 3 over three cells of at least 1 each: each is 1), so it is hidden with it, and so are the
    # shares of known waits (2 = 40% of 5 gives the 5 back)
    assert small["bands"]["young_people"].iloc[-1] == "c"
    assert set(small["bands"]["pct_of_known_waits"]) == {"c"}
    hidden = [w for w, n in zip(small["bands"]["wait"], small["bands"]["young_people"]) if n == "c"]
    assert len(hidden) >= 2  # the total and at least one band: no band is the total minus the rest


def test_missing_referral_dates_column_counts_everyone_as_without_one():
    waits = referral_waits(PARTICIPANTS.drop(columns="referral_date"), SESSIONS, suppress=False)
    assert _col(waits["coverage"], "wait")["no referral date"] == 8


def test_sessions_and_minutes_per_young_person_by_hand():
    per = sessions_per_young_person(PARTICIPANTS, SESSIONS, suppress=False)
    # attended: M1 2 (105 min), M2 3 (120; one without minutes), M3 1 (90), M4 1 (30), M7 2 (120); C1 not mentored
    assert _col(per["coverage"], "sessions") == {"had an attended session": 5, "no attended session recorded": 3,
                                                 "total": 8}
    spread = per["spread"].set_index("quantity")
    # sessions 1 1 2 2 3: median 2, quartiles 1 and 2; minutes 30 90 105 120 120: median 105, quartiles 90, 120
    assert spread.loc["sessions per young person", ["median", "lower_quartile", "upper_quartile"]].tolist() == [2, 1, 2]
    assert spread.loc["minutes per young person", ["median", "lower_quartile", "upper_quartile"]].tolist() == [105, 90, 120]


def test_programme_length_counts_those_still_mentored_apart():
    length = programme_length(PARTICIPANTS, suppress=False)
    # ended: M1 182 days = 26 weeks, M3 84 = 12, M4 154 = 22, M7 210 = 30, M8 182 = 26; M2 M5 still mentored
    assert _col(length["status"], "status") == {"ended": 5, "still being mentored": 2, "no start date": 1, "total": 8}
    row = length["spread"].iloc[0]
    # 12 22 26 26 30: median 26, quartiles 22 and 26
    assert (row["median"], row["lower_quartile"], row["upper_quartile"]) == (26, 22, 26)
    assert programme_length(PARTICIPANTS)["status"]["young_people"].tolist() == ["c", "c", "c", 8]


def test_profile_sentences_use_published_numbers_only():
    text = " ".join(describe_referral_profile(referral_profile(PARTICIPANTS, SESSIONS, suppress=False)))
    assert "median time from referral to first session was 19 days (half waited between 17 and 49 days)" in text
    assert "anxiety mental health (5, 62.5%)" in text
    assert "1 young person had no referral date" in text
    assert "first session dated before their referral" in text
    assert "lasted a median of 26 weeks (half between 22 and 26 weeks)" in text
    assert "significant" not in text
    hidden = " ".join(describe_referral_profile(referral_profile(PARTICIPANTS, SESSIONS)))
    assert "The median wait from referral to first session is not published" in hidden
    assert "19 days" not in hidden
    small = " ".join(describe_referral_profile(referral_profile(PARTICIPANTS, SESSIONS, threshold=1)))
    assert "1 or fewer young people (not shown, to protect them) had no referral date" in small


def test_wait_sentence_never_reads_the_c_of_a_withheld_count():
    # secondary suppression can withhold how many waits are known while their median is published
    profile = referral_profile(PARTICIPANTS, SESSIONS, suppress=False)
    spread = profile.tables["spread"]
    row = spread["quantity"] == "days from referral to first session"
    spread["young_people"] = spread["young_people"].astype(object)
    spread.loc[row, "young_people"] = SUPPRESSED
    text = " ".join(describe_referral_profile(profile))
    assert "Among the young people whose wait is known (how many is not shown, to protect them), the median" in text
    assert "the c young people" not in text


def test_figure_marks_suppressed_rows_c_with_no_bar():
    table = referral_reasons(PARTICIPANTS, threshold=1)
    ax = profile_barplot(table, "reason")
    assert isinstance(ax, plt.Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["anxiety mental health", "poor engagement",
                                                            "school avoidance", "exclusion risk",
                                                            "relationship difficulties"]
    assert [round(b.get_width()) for b in ax.patches] == [5, 2, 2, 0, 0]  # the published numbers, hidden ones 0
    marks = [a for a in ax.texts if a.get_gid() == "suppressed"]
    assert [(m.get_text(), m.xy[1]) for m in marks] == [("c", 3), ("c", 4)]
    alt, caption = profile_figure_alt(table, "reason", "reason for referral", threshold=1)
    assert "anxiety mental health 5; poor engagement 2; school avoidance 2. 2 more not shown" in alt
    plt.close(ax.figure)


@pytest.mark.parametrize("site", ["westbury"])
def test_demo_site_profile_runs(site):
    from cm_research.data.loading import load_evaluation, load_table
    from cm_research.datasets import demo_site_dir

    folder = demo_site_dir(site)
    participants = load_evaluation(folder).participants.data
    sessions = load_table(folder / "sessions.csv", "sessions", references={"participants": participants}).data
    profile = referral_profile(participants, sessions)
    mentored = int((participants["group"] == "mentored").sum())
    assert profile.tables["wait_coverage"]["young_people"].iloc[-1] == mentored
    assert describe_referral_profile(profile)
