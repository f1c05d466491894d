"""Quartiles published beside a hidden n (publication-safety audit, leak 2).

The demo published Easton's referral waits with n shown as ``c`` and quartiles 22.25 and 47.75 days, median
29.5. Waits are whole days; with R's default (type 7) the median is x.5 only for an even n, and a quartile at
x.25 or x.75 only when (n - 1) / 4 has that fraction: n = 2 (mod 4). With the other published counts that left
n in {34, 36, 38}. Where n is hidden, quartiles are R's type 1 (the inverse of the empirical distribution
function): always one of the values themselves, so a whole number of days whatever n is.
"""

import numpy as np
import pandas as pd
import pytest

from cm_research.privacy.audit import audit_table
from cm_research.privacy.derived import derived_findings, published_quartiles
from cm_research.report.referrals import referral_waits

from rscript import rscript

WAITS = [7, 17, 19, 49, 82, 90]  # six whole-day waits


def _r_type1(values) -> list[float]:
    code = f"cat(quantile(c({', '.join(map(str, values))}), c(.25, .5, .75), type = 1, names = FALSE))"
    return [float(v) for v in rscript("-e", code).stdout.split()]


def test_quartiles_beside_a_hidden_n_are_r_type_1():
    # R: quantile(c(7, 17, 19, 49, 82, 90), c(.25, .5, .75), type = 1) = 17 19 82 (type 7: 17.5 34 73.75)
    got = published_quartiles(pd.Series(WAITS), n_hidden=True)
    assert [got["lower_quartile"], got["median"], got["upper_quartile"]] == _r_type1(WAITS) == [17, 19, 82]
    # with n shown, the default stays R's type 7 (hand: positions 2.25, 3.5, 4.75)
    shown = published_quartiles(pd.Series(WAITS), n_hidden=False)
    assert [shown["lower_quartile"], shown["median"], shown["upper_quartile"]] == [17.5, 34, 73.75]


@pytest.mark.parametrize("n", range(30, 42))
def test_hidden_n_quartiles_of_whole_days_are_whole_whatever_n(n):
    values = pd.Series(np.random.default_rng(n).integers(0, 120, n))
    got = published_quartiles(values, n_hidden=True)
    for key in ("lower_quartile", "median", "upper_quartile"):
        assert got[key] in set(values), key  # an observed value: its form says nothing of n


def test_referral_waits_with_a_hidden_n_publish_whole_day_quartiles():
    from tests.report.test_referrals import PARTICIPANTS, SESSIONS  # the eight worked mentees

    # a ninth mentee with a known wait makes six: 7 17 19 49 82 and M9's 01/09 -> 31/10 = 60 days
    extra = pd.DataFrame([{"participant_id": "M9", "group": "mentored", "referral_date": pd.Timestamp("2023-09-01"),
                           "start_date": pd.Timestamp("2023-10-31"), "year_group": 8, "education_stage": "KS3"}])
    people = pd.concat([PARTICIPANTS, extra], ignore_index=True).astype({"year_group": "Int64"})
    # threshold 1: the three 1s (no referral date, no session, negative) would be worked out from 9 - 6, so
    # "wait known" is hidden; its six waits are more than the threshold, so the spread is given with n as c
    spread = referral_waits(people, SESSIONS, threshold=1)["spread"].iloc[0]
    assert spread["young_people"] == "c"
    waits = [7, 17, 19, 49, 60, 82]  # type 7 would give 17.5, 34, 57.25: an even n, n = 2 (mod 4)
    assert [spread["lower_quartile"], spread["median"], spread["upper_quartile"]] == _r_type1(waits) == [17, 19, 60]
    assert "type 1" in spread["note"]


def test_audit_finds_quartile_fractions_beside_a_hidden_n(tmp_path):
    # the demo's Easton row before the fix
    table = pd.DataFrame({"quantity": ["days from referral to first session", "sessions per young person"],
                          "young_people": ["c", "40"], "median": ["29.5", "23.5"],
                          "lower_quartile": ["22.25", "17.25"], "upper_quartile": ["47.75", "28.0"]})
    found = list(derived_findings(table, "referrals_spread.csv"))
    assert [f[1] for f in found] == ["line 2, columns `median`, `lower_quartile`, `upper_quartile`"]
    assert "n shown as c" in found[0][3]
    path = tmp_path / "referrals_spread.csv"
    table.to_csv(path, index=False)
    assert [f[2] for f in audit_table(path)] == ["derived_count"]
    # whole numbers beside a hidden n say nothing of its parity
    table.loc[0, ["median", "lower_quartile", "upper_quartile"]] = ["29.0", "22.0", "48.0"]
    assert list(derived_findings(table, "referrals_spread.csv")) == []


def test_sessions_per_young_person_with_a_hidden_n_publish_type_1_quartiles():
    from cm_research.report.site_report import sessions_summary

    # six young people with 1, 2, 2, 3, 4, 6 attended sessions; seven mentored, so 7 - 6 = 1 had none and the 6
    # is hidden. Type 7 would give 2, 2.5, 3.75 (2.5: an even n; 3.75: n = 2 mod 4)
    per = {"A": 1, "B": 2, "C": 2, "D": 3, "E": 4, "F": 6}
    sessions = pd.DataFrame([{"participant_id": pid, "session_date": "2023-09-01", "minutes": 60,
                              "activity": "music", "setting": "school", "attended": True}
                             for pid, k in per.items() for _ in range(k)])
    row = sessions_summary(sessions, mentored=7)["per_young_person"].iloc[0]
    assert row["young_people"] == "c"
    got = [row["lower_quartile"], row["median_sessions"], row["upper_quartile"]]
    assert got == _r_type1(sorted(per.values())) == [2, 2, 4]
