"""Round-4 red team: hidden counts given back by statistics and by another report of the same run.

Each attack is written from the published numbers alone with the textbook formula, not the package's code. All
data synthetic (seeded).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from cm_research.privacy.audit import audit_table

C = "c"


# ---------------------------------------------------------------- the signed-rank p-value beside a hidden count

def nonzero_from_p(p: object, n_pairs: int, threshold: int = 5) -> list[int]:
    """Every m (n_pairs - threshold <= m <= n_pairs) for which a two-sided normal-approximation signed-rank p
    (continuity correction, no ties) comes from a whole or half-number V:
    z = (|V - m(m+1)/4| - 1/2) / sqrt(m(m+1)(2m+1)/24), so V = m(m+1)/4 - z sd - 1/2 or + z sd + 1/2."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        return []
    if math.isnan(p):
        return []
    z = norm.isf(p / 2)
    found = []
    for m in range(n_pairs - threshold, n_pairs + 1):
        sd = math.sqrt(m * (m + 1) * (2 * m + 1) / 24)
        if any(abs(2 * v - round(2 * v)) < 1e-7 for v in (m * (m + 1) / 4 - z * sd - 0.5,
                                                          m * (m + 1) / 4 + z * sd + 0.5)):
            found.append(m)
    return found


def _change_with_zeros(zeros: int, n: int = 26, seed: int = 3) -> pd.DataFrame:
    from cm_research.stats.paired import paired_change

    rng = np.random.default_rng(seed)
    base = rng.uniform(70, 95, size=n).round(2)
    # distinct non-zero changes (no ties), mostly rises; `zeros` young people did not change at all
    diff = np.r_[np.zeros(zeros), (rng.permutation(np.arange(1, n - zeros + 1)) * 0.37 - 2.0).round(2)]
    assert len(set(np.abs(diff[zeros:]))) == n - zeros and (diff[zeros:] != 0).all()
    data = pd.DataFrame({"participant_id": [f"SYN-{i:03d}" for i in range(n)] * 2,
                         "timepoint": ["baseline"] * n + ["post"] * n, "value": np.r_[base, base + diff]})
    return paired_change(data, n_boot=200, seed=1).assign(measure="attendance_pct", group="mentored")


def test_the_signed_rank_p_value_no_longer_gives_back_a_hidden_count_of_zero_changes():
    from cm_research.report.outcomes import withhold_small_change

    change = _change_with_zeros(2)
    raw = change[change["method"].str.startswith("Wilcoxon")].iloc[0]
    assert "normal approximation" in raw["method"] and raw["n_nonzero"] == 24
    # before the fix: n_nonzero was c ("between 1 and 5 zero changes") but its p fitted m = 24 alone: 2 zeros
    assert nonzero_from_p(raw["p_val"], 26) == [24]
    published = withhold_small_change(change, 5)
    row = published[published["method"].str.startswith("Wilcoxon")].iloc[0]
    assert row["n_nonzero"] == C and row["n_pairs"] == 26
    assert nonzero_from_p(row["p_val"], 26) == [] and math.isnan(float(row["p_val"]))
    assert "p-value withheld" in row["note"]
    t_row = published[published["method"] == "Paired t-test"].iloc[0]
    assert 0 < float(t_row["p_val"]) < 1  # the t-test's p does not depend on the zeros: it stays


def test_the_audit_finds_a_signed_rank_p_value_beside_a_hidden_count(tmp_path):
    # the demo's Northshire attendance row as round 3 published it: 26 pairs, n_nonzero c, p shown
    row = pd.DataFrame({"measure": ["attendance_pct"], "method": ["Wilcoxon signed-rank test (normal approximation, "
                                                                 "continuity correction)"],
                        "n_pairs": [26], "n_nonzero": [C], "p_val": [0.006933947606081329]})
    assert nonzero_from_p(0.006933947606081329, 26) == [24]  # V = 55: 24 x 25 / 4 = 150, 150 - 2.699 x 35 - .5
    row.to_csv(tmp_path / "change_within_mentored.csv", index=False)
    found = list(audit_table(tmp_path / "change_within_mentored.csv"))
    assert [f[2] for f in found] == ["derived_count"] and "m = 24" in found[0][3]
    row.assign(p_val=[math.nan]).to_csv(tmp_path / "ok.csv", index=False)
    assert list(audit_table(tmp_path / "ok.csv")) == []
