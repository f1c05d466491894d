"""Who answered the survey: respondents by role and wave, a table to publish (small counts suppressed)."""

from __future__ import annotations

import pandas as pd

from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.contract import require_columns
from cm_research.surveys.comments import RESPONDENT_ROLES, role_label

__all__ = ["respondents_by_role"]

TOTAL = "all respondents"


def respondents_by_role(
    data: pd.DataFrame,
    before: str = "baseline",
    after: str = "end",
    *,
    subject: str = "respondent_id",
    role: str = "respondent_role",
    within: str = "wave",
    threshold: int = DEFAULT_THRESHOLD,
    suppress: bool = True,
) -> pd.DataFrame:
    """Respondents per role who answered at ``before``, at ``after`` and at both, with a total row.

    A respondent counts at a wave when they have any row at that wave. Counts from 1 to ``threshold`` show as
    ``c``, with secondary suppression so the total row gives nothing away
    (:func:`cm_research.privacy.suppression.suppress_counts`).
    """
    require_columns(data, [subject, role, within], "respondents_by_role")
    waves = data.groupby([subject, role])[within].agg(lambda w: set(w.dropna())).reset_index()
    roles = [r for r in RESPONDENT_ROLES if r in set(waves[role])] + sorted(set(waves[role]) - set(RESPONDENT_ROLES))
    both = f"both {before} and {after}"
    rows = []
    for r in roles:
        seen = [set(s) for s in waves.loc[waves[role] == r, within]]  # with pyarrow, pandas returns the sets as lists
        rows.append({"role": role_label(r), before: sum(before in s for s in seen), after: sum(after in s for s in seen),
                     both: sum({before, after} <= s for s in seen)})
    table = pd.DataFrame(rows, columns=["role", before, after, both])
    total = {"role": TOTAL, **{c: int(table[c].sum()) for c in (before, after, both)}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return suppress_counts(table, [before, after, both], total_rows={"role": TOTAL}, threshold=threshold,
                           suppress=suppress, name="respondents by role")
