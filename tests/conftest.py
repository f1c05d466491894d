import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

PARTICIPANTS_HEADER = ("participant_id,site,cohort,year_group,education_stage,care_status,referral_reasons,"
                       "programme,group,start_date,end_date,match_ended_early")
VALID_PARTICIPANTS = [
    "T-001,Testshire,2023/24,8,KS3,looked_after,anxiety_mental_health,creative_mentoring,mentored,11/09/2023,19/07/2024,no",
    "T-002,Testshire,2023/24,9,KS3,looked_after,,,comparison,,,",
    "T-003,Testshire,2023/24,10,KS4,previously_looked_after,school_avoidance; poor_engagement,creative_mentoring,mentored,02/10/2023,,no",
    "T-004,Testshire,2022/23,7,KS3,looked_after,,,comparison,,,",
]
OUTCOMES_HEADER = "participant_id,measure,timepoint,date,value"
VALID_OUTCOMES = [
    "T-001,attendance_pct,baseline,01/10/2023,81.5",
    "T-001,attendance_pct,post,15/07/2024,90",
    "T-002,attendance_pct,baseline,01/10/2023,77",
    "T-002,sdq_total,baseline,01/10/2023,18",
    "T-003,sdq_total,baseline,01/10/2023,21",
    "T-003,sdq_total,post,15/07/2024,16",
]


@pytest.fixture
def write_file(tmp_path):
    """Write lines (or bytes) to a file in tmp_path and return its path."""

    def write(name: str, lines, encoding: str = "utf-8"):
        path = tmp_path / name
        if isinstance(lines, bytes):
            path.write_bytes(lines)
        else:
            path.write_text("\n".join(lines) + "\n", encoding=encoding)
        return path

    return write


@pytest.fixture
def participants_csv(write_file):
    return write_file("participants.csv", [PARTICIPANTS_HEADER, *VALID_PARTICIPANTS])


@pytest.fixture(scope="session")
def shared_demo_run(tmp_path_factory):
    """The whole synthetic demo (`make demo`), run once per test session; tests must copy it before changing it."""
    from cm_research.batch import run_demo

    root = tmp_path_factory.mktemp("shared-demo") / "demo"
    _, results = run_demo(root, n_jobs=2, progress=False)
    assert all(r.ok for r in results), [r.error for r in results]
    return root
