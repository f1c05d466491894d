"""The site report's sentences are written from the numbers (change the data, the sentence changes) and never
overstate; tables are counted by hand; figures carry alt text and the palette is colour-blind safe."""

import base64
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cm_research.report.site_report import (describe_costs, describe_reliable_change, figure_html, limits_sentences,
                                            use_colour_blind_palette, who_took_part)

OVERSTATEMENT = re.compile(r"\bsignifican|\bcaused\b|\bled to\b|\bbecause of (the )?mentoring|\bdue to (the )?"
                           r"mentoring|\bmentoring (improved|reduced|increased|raised)", re.I)


def _people(n_mentored, n_comparison, ended_early=0):
    return pd.DataFrame({
        "participant_id": [f"P{i}" for i in range(n_mentored + n_comparison)],
        "group": ["mentored"] * n_mentored + ["comparison"] * n_comparison,
        "cohort": ["2023/24"] * (n_mentored + n_comparison),
        "education_stage": ["KS3"] * (n_mentored + n_comparison),
        "programme": ["creative_mentoring"] * n_mentored + [None] * n_comparison,
        "referral_reasons": [["anxiety_mental_health", "school_avoidance"] if i % 2 else ["exclusion_risk"]
                             for i in range(n_mentored)] + [[]] * n_comparison,
        "match_ended_early": [True] * ended_early + [False] * (n_mentored - ended_early) + [None] * n_comparison,
        "start_date": pd.to_datetime(["2023-09-01"] * (n_mentored + n_comparison)),
        "end_date": [pd.Timestamp("2023-09-01") + pd.Timedelta(weeks=10 + i) for i in range(n_mentored)] + [pd.NaT] * n_comparison,
    })


def test_who_took_part_counts_by_hand_and_suppresses_small_ones():
    tables = who_took_part(_people(12, 9, ended_early=2))
    referrals = tables["referrals"].set_index("cohort")
    assert referrals.loc["2023/24", ["mentored", "comparison", "total"]].tolist() == [12, 9, 21]
    reasons = tables["referral_reasons"].set_index("reason")["young_people"]
    # odd positions 1,3,...,11 give two reasons (6 young people), even positions one (6)
    assert reasons.to_dict() == {"anxiety mental health": 6, "exclusion risk": 6, "school avoidance": 6}
    early = tables["ended_early"].set_index("ended_early")["young_people"]
    assert early["yes"] == "c" and early["no"] == "c" and early["total"] == 12  # 2 is small, 10 would reveal it
    # 6 of 12 mentored young people per reason
    assert tables["referral_reasons"]["pct_of_mentored"].tolist() == [50.0, 50.0, 50.0]


def test_programme_length_in_the_referral_profile_by_hand():
    from cm_research.report.referrals import referral_profile

    spread = referral_profile(_people(12, 9)).tables["spread"].set_index("quantity")
    length = spread.loc["programme length in weeks (ended)"]
    # weeks 10..21: median 15.5, quartiles (linear interpolation) 12.75 and 18.25
    assert (length["young_people"], length["median"]) == (12, pytest.approx(15.5))
    assert (length["lower_quartile"], length["upper_quartile"]) == (pytest.approx(12.75), pytest.approx(18.25))
    small = referral_profile(_people(4, 3)).tables["spread"].set_index("quantity")
    assert small.loc["programme length in weeks (ended)", "young_people"] == "c"  # 4 mentees: withheld
    assert pd.isna(small.loc["programme length in weeks (ended)", "median"])


def _rc(improved, worse, total, threshold=6.8):
    return {"measure": "sdq_total", "reliable_improvement": improved, "no_reliable_change": "c",
            "reliable_deterioration": worse, "total": total, "smallest_reliable_change": threshold}


def test_reliable_change_sentence_follows_the_counts():
    a = describe_reliable_change(_rc(9, 0, 30), "SDQ")
    b = describe_reliable_change(_rc(12, 7, 31, 5.2), "SDQ")
    assert "of the 30 mentored" in a and "9 improved reliably" in a and "0 deteriorated" in a and "6.8 points" in a
    assert "of the 31 mentored" in b and "12 improved reliably" in b and "7 deteriorated" in b and "5.2 points" in b
    hidden = describe_reliable_change(_rc("c", 0, 30), "SDQ", threshold=10)
    assert "10 or fewer (not shown" in hidden and "c improved" not in hidden
    assert "too few" in describe_reliable_change(_rc("c", "c", "c"), "SDQ")
    for text in (a, b, hidden):
        assert not OVERSTATEMENT.search(text) and "cannot be attributed to mentoring" in text


def _outcomes(pairs, lost):
    rows = [(f"P{i}", "attendance_pct", t, 90.0) for i in range(pairs) for t in ("baseline", "post")]
    rows += [(f"P{pairs + i}", "attendance_pct", "baseline", 80.0) for i in range(lost)]
    return pd.DataFrame(rows, columns=["participant_id", "measure", "timepoint", "value"])


def test_limits_are_written_from_the_data():
    with_comparison = limits_sentences(_people(30, 10), _outcomes(24, 6), "attendance_pct", "Attendance")
    assert "not chosen at random" in with_comparison[0]
    assert with_comparison[1].startswith("24 of the 30 mentored") and "(20% missing)" in with_comparison[1]
    assert len(with_comparison) == 2  # 24 measured twice: no small-sample warning at 20
    alone = limits_sentences(_people(12, 0), _outcomes(9, 3), "attendance_pct", "Attendance")
    assert "no comparison group" in alone[0] and "cannot be attributed to mentoring" in alone[0]
    assert alone[1].startswith("9 of the 12") and "(25% missing)" in alone[1]
    assert "fewer than 20" in alone[2]
    assert "not measured at baseline" in limits_sentences(_people(5, 0), _outcomes(0, 0), "attendance_pct", "A")[0 + 1]
    for text in with_comparison + alone:
        assert not OVERSTATEMENT.search(text)


def test_cost_sentence_follows_the_numbers_and_withholds_small_counts():
    row = {"years": "2023/24", "total_cost": 20_000.0, "n_mentored": 10, "cost_per_young_person": 2_000.0,
           "n_improved": 8, "cost_per_improved": 2_500.0, "note": ""}
    text = describe_costs(row)
    assert "£20,000 for 10 mentored" in text and "£2,000 per young person" in text and "£2,500" in text
    cheaper = describe_costs({**row, "total_cost": 15_000.0, "cost_per_young_person": 1_500.0,
                              "cost_per_improved": 1_875.0})
    assert cheaper != text and "£1,500 per young person" in cheaper and "£1,875" in cheaper
    withheld = describe_costs({**row, "n_improved": "c", "cost_per_improved": np.nan,
                               "note": "cost per young person with reliable improvement is withheld: 5 or fewer"})
    assert "is withheld" in withheld and "£2,500" not in withheld
    for t in (text, cheaper, withheld):
        assert not OVERSTATEMENT.search(t)
    assert "not what mentoring achieved" in text

def test_figure_html_embeds_a_png_with_alt_text_and_caption():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = figure_html(fig, alt='Line "rising" from 0 to 1', caption="A caption & more")
    plt.close(fig)
    src = re.search(r'src="data:image/png;base64,([^"]+)"', out).group(1)
    assert base64.b64decode(src)[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'alt="Line &quot;rising&quot; from 0 to 1"' in out and "<figcaption>A caption &amp; more</figcaption>" in out
    with pytest.raises(ValueError, match="alt text is required"):
        figure_html(fig, alt="  ")


def test_palette_is_okabe_ito_colour_blind_safe():
    colours = use_colour_blind_palette()
    # Okabe & Ito's blue, orange and bluish green as seaborn's "colorblind" palette spells them
    hexes = ["#%02x%02x%02x" % tuple(round(255 * c) for c in rgb) for rgb in colours[:3]]
    assert hexes == ["#0173b2", "#de8f05", "#029e73"]
    from matplotlib.colors import to_hex

    assert to_hex(plt.rcParams["axes.prop_cycle"].by_key()["color"][0]) == "#0173b2"


def test_limits_do_not_state_a_count_the_published_attrition_table_hides():
    """39 mentored young people (a published total); 37 measured at baseline, 31 of them again at post, and 2
    measured at post only. The data-quality tables hide those 2 with no baseline (missingness), and so, jointly,
    the 37 too. Writing "31 of the 37" gave back 39 - 37 = 2 (the Easton demo's SDQ, before this was fixed)."""
    from cm_research.quality import published_counts

    people = _people(39, 30)
    outcomes = _outcomes(31, 6)  # P0-P30 at both times, P31-P36 at baseline only
    more = [(f"P{39 + i}", "attendance_pct", t, 95.0) for i in range(30) for t in ("baseline", "post")]
    more += [(f"P{i}", "attendance_pct", "post", 85.0) for i in (37, 38)]  # P37, P38: no baseline
    outcomes = pd.concat([outcomes, pd.DataFrame(more, columns=outcomes.columns)])
    published = published_counts(people, outcomes)
    mentored = published["attrition"].set_index(["measure", "group"]).loc[("attendance_pct", "mentored")]
    assert mentored["n_baseline"] == "c" and mentored["n_both"] == 31  # hidden with the missing 2
    unprotected = limits_sentences(people, outcomes, "attendance_pct", "Attendance")
    assert unprotected[1].startswith("31 of the 37 mentored")  # the leak, without the published table
    text = " ".join(limits_sentences(people, outcomes, "attendance_pct", "Attendance",
                                     published_attrition=published["attrition"]))
    assert "31 mentored young people were measured at both baseline and post" in text
    assert not re.search(r"\b(37|6|2)\b", text) and "% missing" not in text
    # a table that hides nothing changes nothing
    shown = published_counts(_people(30, 10), _outcomes(24, 6))["attrition"]
    assert limits_sentences(_people(30, 10), _outcomes(24, 6), "attendance_pct", "Attendance",
                            published_attrition=shown) == limits_sentences(_people(30, 10), _outcomes(24, 6),
                                                                           "attendance_pct", "Attendance")
