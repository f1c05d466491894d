"""Who answered the survey: respondents by role and wave, a table to publish (small counts suppressed)."""

from __future__ import annotations

import pandas as pd

from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.contract import require_columns
from cm_research.surveys.comments import RESPONDENT_ROLES, role_label
from cm_research.deprecation import renamed_arguments

__all__ = ["respondents_by_role"]

TOTAL = "all respondents"


@renamed_arguments(before="baseline", after="post")
def respondents_by_role(
    data: pd.DataFrame,
    baseline: str = "baseline",
    post: str = "end",
    *,
    subject: str = "respondent_id",
    role: str = "respondent_role",
    within: str = "wave",
    threshold: int = DEFAULT_THRESHOLD,
    suppress: bool = True,
) -> pd.DataFrame:
    """Respondents per role who answered at ``baseline``, at ``post`` and at both, with a total row.

    A respondent counts at a wave when they have any row at that wave. Counts from 1 to ``threshold`` show as
    ``c``, with secondary suppression so the total row gives nothing away
    (:func:`cm_research.privacy.suppression.suppress_counts`).
    """
    require_columns(data, [subject, role, within], "respondents_by_role")
    waves = data.groupby([subject, role])[within].agg(lambda w: set(w.dropna())).reset_index()
    roles = [r for r in RESPONDENT_ROLES if r in set(waves[role])] + sorted(set(waves[role]) - set(RESPONDENT_ROLES))
    both = f"both {baseline} and {post}"
    rows = []
    for r in roles:
        seen = [set(s) for s in waves.loc[waves[role] == r, within]]  # with pyarrow, pandas returns the sets as lists
        rows.append({"role": role_label(r), baseline: sum(baseline in s for s in seen), post: sum(post in s for s in seen),
                     both: sum({baseline, post} <= s for s in seen)})
    table = pd.DataFrame(rows, columns=["role", baseline, post, both])
    total = {"role": TOTAL, **{c: int(table[c].sum()) for c in (baseline, post, both)}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return suppress_counts(table, [baseline, post, both], total_rows={"role": TOTAL}, threshold=threshold,
                           suppress=suppress, name="respondents by role")
