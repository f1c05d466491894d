"""Cross-site synthesis: per-site effect sizes pooled by measure (DerSimonian-Laird worked by hand)."""

import math

import numpy as np
import pandas as pd
import pytest

from cm_research.batch import run_notebook
from cm_research.report.synthesis import collect_effect_sizes, synthesise

SITES = pd.DataFrame({
    "measure": ["sdq_total"] * 3 + ["attendance_pct"],
    "scale": ["difference"] * 4,
    "estimate": [-2.0, -0.5, -3.0, 1.0],
    "se": [1.0, 0.8, 1.5, 2.0],
    "site": ["A", "B", "C", "A"],
})


def dersimonian_laird(y, se):
    y, v = np.asarray(y), np.asarray(se) ** 2
    w = 1 / v
    mean_fe = (w * y).sum() / w.sum()
    q = (w * (y - mean_fe) ** 2).sum()
    tau2 = max(0.0, (q - (len(y) - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    w_star = 1 / (v + tau2)
    mu = (w_star * y).sum() / w_star.sum()
    se_mu = math.sqrt(1 / w_star.sum())
    return mu, mu - 1.959963984540054 * se_mu, mu + 1.959963984540054 * se_mu, tau2


def test_pooled_by_measure_matches_a_hand_worked_dersimonian_laird():
    result = synthesise(SITES, method="DL", hartung_knapp=False).pooled.set_index("measure")
    mu, lo, hi, tau2 = dersimonian_laird([-2.0, -0.5, -3.0], [1.0, 0.8, 1.5])
    row = result.loc["sdq_total"]
    assert row["k"] == 3
    assert (row["estimate"], row["ci_low"], row["ci_high"], row["tau2"]) == pytest.approx((mu, lo, hi, tau2), rel=1e-9)
    # one site only: reported, not pooled
    assert result.loc["attendance_pct", "k"] == 1 and pd.isna(result.loc["attendance_pct", "estimate"])
    assert result.loc["attendance_pct", "note"]


def test_synthesis_notebook_reads_site_folders(tmp_path):
    run = tmp_path / "run"
    for site, rows in SITES.groupby("site"):
        (run / site.lower()).mkdir(parents=True)
        rows.to_csv(run / site.lower() / "effect_sizes.csv", index=False)
    assert len(collect_effect_sizes(run)) == 4
    out = tmp_path / "summary"
    run_notebook("04_cross_site_synthesis", out / "04.ipynb",
                 {"run_dir": str(run), "method": "DL", "hartung_knapp": False, "output_dir": str(out)})
    pooled = pd.read_csv(out / "pooled_effects.csv").set_index("measure")
    mu = dersimonian_laird([-2.0, -0.5, -3.0], [1.0, 0.8, 1.5])[0]
    assert pooled.loc["sdq_total", "estimate"] == pytest.approx(mu, rel=1e-9)
    assert (out / "forest_sdq_total.png").exists()
    # the numbers behind the forest plot: each site's estimate, then the pooled row, linked under the figure
    behind = pd.read_csv(out / "forest_sdq_total_data.csv")
    assert list(behind["site"]) == ["A", "B", "C", "pooled (random effects)"]
    assert list(behind["estimate"][:3]) == [-2.0, -0.5, -3.0] and behind["estimate"].iloc[3] == pytest.approx(mu)
    html = (out / "04.html").read_text()
    assert "Sites pooled: A, B, C (3)" in html and "Synthetic data" not in html
    assert 'href="forest_sdq_total_data.csv"' in html
