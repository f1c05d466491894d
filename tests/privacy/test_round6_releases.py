"""Round-6 red team: differencing between two releases of one project (a quarterly re-run with one more child).

The attack takes one published table from each release and subtracts, by hand; the audit must report each count
that moved by 1 to 5. All data synthetic."""

from __future__ import annotations

import pandas as pd

from cm_research.privacy.audit import audit_run


def _cohorts(mentored: tuple[int, int], comparison: tuple[int, int]) -> pd.DataFrame:
    rows = [("2022/23", mentored[0], comparison[0]), ("2023/24", mentored[1], comparison[1])]
    table = pd.DataFrame(rows, columns=["cohort", "mentored", "comparison"])
    table["total"] = table["mentored"] + table["comparison"]
    return pd.concat([table, pd.DataFrame([{"cohort": "total", **table[["mentored", "comparison", "total"]].sum()}])],
                     ignore_index=True)


def _release(folder, mentored, comparison, stages):
    (folder / "westbury").mkdir(parents=True)
    _cohorts(mentored, comparison).to_csv(folder / "westbury" / "counts_by_cohort.csv", index=False)
    pd.DataFrame({"education_stage": ["KS2", "KS3", "KS4", "total"], "young_people": [*stages, sum(stages)]}) \
        .to_csv(folder / "westbury" / "participants_education_stage.csv", index=False)
    return folder


def test_one_child_added_between_releases_is_found(tmp_path):
    old = _release(tmp_path / "2024-q1", (13, 10), (15, 8), (6, 12, 7))
    new = _release(tmp_path / "2024-q2", (13, 11), (15, 8), (6, 13, 7))  # one child: 2023/24, KS3
    # the attack, by hand: every shown count that moved, and by how much
    a = pd.read_csv(new / "westbury" / "counts_by_cohort.csv").set_index("cohort")
    b = pd.read_csv(old / "westbury" / "counts_by_cohort.csv").set_index("cohort")
    moved = (a - b).stack()
    assert moved[moved != 0].to_dict() == {("2023/24", "mentored"): 1, ("2023/24", "total"): 1,
                                           ("total", "mentored"): 1, ("total", "total"): 1}
    assert audit_run(new, identifiers=False).empty  # each release alone is safe: every count is 6 or more
    found = audit_run(new, identifiers=False, earlier=[old])
    assert set(found["kind"]) == {"release_difference"}
    places = set(zip(found["file"], found["location"]))
    assert ("westbury/counts_by_cohort.csv", "line 3, column `mentored`") in places  # 2023/24: 10 -> 11
    assert ("westbury/participants_education_stage.csv", "line 3, column `young_people`") in places  # KS3
    # mentored 2023/24 and total (the `total` column counts people only by its sidecar record, not written
    # here), KS3 and the stages' total
    assert len(found) == 4
    assert not any("comparison" in loc for loc in found["location"])  # unchanged counts are not findings


def test_a_release_that_moved_every_count_by_0_or_6_or_more_passes(tmp_path):
    old = _release(tmp_path / "a", (13, 10), (15, 8), (6, 12, 7))
    new = _release(tmp_path / "b", (13, 16), (15, 8), (6, 18, 7))  # six more, all KS3, 2023/24
    assert audit_run(new, identifiers=False, earlier=[old]).empty
