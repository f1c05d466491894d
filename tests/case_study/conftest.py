"""A small hand-made evaluation folder for the case-study tests (ids T-..., invented)."""

import pytest

PARTICIPANTS = """participant_id,site,cohort,year_group,care_status,referral_reasons,programme,group,start_date,end_date,match_ended_early
T-001,Testshire,2023/24,8,looked_after,school_avoidance,creative_mentoring,mentored,02/10/2023,15/03/2024,no
T-002,Testshire,2023/24,9,looked_after,,,comparison,,,
T-003,Testshire,2023/24,9,looked_after,anxiety_mental_health,creative_mentoring,mentored,09/10/2023,,
T-004,Testshire,2023/24,10,looked_after,poor_engagement,creative_mentoring,mentored,16/10/2023,01/02/2024,yes
"""
OUTCOMES = """participant_id,measure,timepoint,date,value
T-001,sdq_total,baseline,01/10/2023,22
T-001,sdq_total,post,15/07/2024,12
T-001,attendance_pct,baseline,01/10/2023,75
T-003,sdq_total,baseline,01/10/2023,14
T-003,sdq_total,post,15/07/2024,22
T-004,sdq_total,baseline,01/10/2023,15
T-004,sdq_total,post,15/07/2024,13
"""
ATTENDANCE = """participant_id,period_start,period_end,sessions_possible,sessions_attended,suspension_days
T-001,04/09/2023,20/10/2023,60,45,2
T-001,30/10/2023,20/12/2023,70,63,0
T-001,03/01/2024,09/02/2024,0,0,
T-003,04/09/2023,20/10/2023,68,68,0
"""
SESSIONS = """participant_id,session_date,minutes,activity,setting,attended
T-001,02/10/2023,60,music,community,yes
T-001,09/10/2023,0,music,community,no
T-001,16/10/2023,90,visual_art,home,yes
T-003,10/10/2023,45,film,school,yes
"""
MENTEE = """Pseudonym: Sam Carter
Role: mentee
Site: Testshire
Participant ID: T-001
Date: 2024-05-01
Interviewer: Interviewer
---
Interviewer: What was it like having a mentor? Did Sam Carter enjoy it?
Sam Carter: Alex listened to me and I felt safe in the sessions with Alex every week.
Interviewer: And school?
Sam Carter: I go to school more now because I want to, and I feel proud of my music.
"""
MENTOR = """Pseudonym: Alex
Role: mentor
Site: Testshire
Date: 2024-05-02
Interviewer: Interviewer
---
Interviewer: How did it go?
Alex: Sam Carter grew in confidence and we made music together every week in the studio.
"""


@pytest.fixture
def evaluation(tmp_path):
    """(data folder, transcripts folder) of the hand-made evaluation."""
    data = tmp_path / "data"
    data.mkdir()
    for name, text in (("participants", PARTICIPANTS), ("outcomes", OUTCOMES), ("attendance", ATTENDANCE),
                       ("sessions", SESSIONS)):
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
    interviews = tmp_path / "interviews"
    interviews.mkdir()
    (interviews / "t001_mentee.txt").write_text(MENTEE, encoding="utf-8")
    (interviews / "t_mentor.txt").write_text(MENTOR, encoding="utf-8")
    return data, interviews
