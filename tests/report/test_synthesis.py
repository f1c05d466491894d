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


# --- the standard errors each site hands to the synthesis -----------------------------------------------------

RMA_SCRIPT = r"""
# Each site's ANCOVA (lm: post ~ mentored + baseline), then metafor::rma(yi, sei = ...) with those exact SEs.
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("metafor", quietly = TRUE)) {
  cat("missing R package: metafor\n", file = stderr()); quit(status = 3)
}
suppressMessages(library(metafor))
d <- read.csv(file.path(args[1], "sites.csv"), stringsAsFactors = FALSE)
sites <- unique(d$site)
yi <- sei <- numeric(0)
for (s in sites) {
  fit <- lm(post ~ I(group == "mentored") + baseline, data = d[d$site == s, ])
  yi <- c(yi, coef(summary(fit))[2, "Estimate"]); sei <- c(sei, coef(summary(fit))[2, "Std. Error"])
}
res <- rma(yi = yi, sei = sei, method = "DL")
write.csv(data.frame(key = c(paste0("yi_", sites), paste0("sei_", sites), "estimate", "ci_low", "ci_high", "tau2"),
                     value = formatC(c(yi, sei, res$b[1], res$ci.lb, res$ci.ub, res$tau2), digits = 17, format = "g")),
          file.path(args[1], "out.csv"), row.names = FALSE)
"""


def site_data(seed: int, n: int, shift: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic SDQ totals at baseline and post for one site (mentored lower by ``shift`` on average)."""
    rng = np.random.default_rng(seed)
    ids = [f"S{seed}-{i:02d}" for i in range(n)]
    groups = ["mentored" if i % 2 == 0 else "comparison" for i in range(n)]
    rows = []
    for pid, g in zip(ids, groups):
        b = float(round(rng.normal(15, 5)))
        post = float(round(b - (shift if g == "mentored" else 0) + rng.normal(0, 3)))
        rows += [(pid, "sdq_total", "baseline", b), (pid, "sdq_total", "post", post)]
    outcomes = pd.DataFrame(rows, columns=["participant_id", "measure", "timepoint", "value"])
    return outcomes, pd.DataFrame({"participant_id": ids, "group": groups})


TWO_SITES = {"North": (11, 14, 2.0), "South": (23, 12, 0.5)}  # small sites: t(0.975, 9 to 11 df) ≈ 2.2, not 1.96


def two_site_effects() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The effect_sizes rows of two synthetic sites, and their raw data (for R)."""
    from cm_research.report.outcomes import effect_sizes
    from cm_research.stats.outcomes import compare_outcomes

    effects, raw = [], []
    for site, (seed, n, shift) in TWO_SITES.items():
        outcomes, participants = site_data(seed, n, shift)
        effects.append(effect_sizes(compare_outcomes(outcomes, participants, ["sdq_total"])).assign(site=site))
        wide = outcomes.pivot(index="participant_id", columns="timepoint", values="value").reset_index()
        raw.append(wide.merge(participants).assign(site=site))
    return pd.concat(effects, ignore_index=True), pd.concat(raw, ignore_index=True)


def test_site_se_is_the_estimators_se_not_one_recovered_from_a_t_interval_with_z():
    from cm_research.stats.groups import ancova

    effects, raw = two_site_effects()
    for site, rows in raw.groupby("site"):
        fit = ancova(rows, "post", "group", "baseline").iloc[0]
        used = effects.set_index("site").loc[site]
        assert used["se"] == pytest.approx(fit["se"], rel=1e-12)
        # the old recovery, CI width / (2 × 1.96), overstated it by t(0.975, dof) / 1.96
        width_over_z = (fit["ci_high"] - fit["ci_low"]) / (2 * 1.959963984540054)
        assert width_over_z / used["se"] == pytest.approx(scipy_t_ratio(fit["dof"]), rel=1e-9)
        assert "standard error of the estimator" in used["note"]


def scipy_t_ratio(dof: float) -> float:
    from scipy import stats

    return float(stats.t.isf(0.025, dof) / stats.norm.isf(0.025))


@pytest.mark.r
def test_two_site_synthesis_matches_metafor_rma_with_the_exact_ses(tmp_path):
    from rscript import rscript

    effects, raw = two_site_effects()
    raw[["site", "participant_id", "group", "baseline", "post"]].to_csv(tmp_path / "sites.csv", index=False)
    script = tmp_path / "rma.R"
    script.write_text(RMA_SCRIPT)
    rscript(script, str(tmp_path), requires=["metafor"])
    ref = pd.read_csv(tmp_path / "out.csv").set_index("key")["value"].astype(float)
    by_site = effects.set_index("site")
    for site in TWO_SITES:
        assert by_site.loc[site, "estimate"] == pytest.approx(ref[f"yi_{site}"], rel=1e-9)
        assert by_site.loc[site, "se"] == pytest.approx(ref[f"sei_{site}"], rel=1e-9)
    pooled = synthesise(effects, method="DL", hartung_knapp=False).pooled.set_index("measure").loc["sdq_total"]
    assert pooled["k"] == 2
    assert (pooled["estimate"], pooled["ci_low"], pooled["ci_high"], pooled["tau2"]) == pytest.approx(
        (ref["estimate"], ref["ci_low"], ref["ci_high"], ref["tau2"]), rel=1e-7, abs=1e-12)


def test_without_an_se_the_ci_is_read_with_the_quantile_it_was_built_with():
    from cm_research.report.outcomes import effect_sizes

    # hand-built rows with no `se` column: a t interval on 10 df, 1 ± 2.228139 × 0.5 (t(0.975, 10) = 2.228139,
    # from tables), and a Wald interval on the log scale, exp(log 2 ± 1.959964 × 0.25)
    t10, z = 2.2281388519649385, 1.959963984540054
    rows = pd.DataFrame({
        "measure": ["sdq_total", "suspensions"], "method": ["some t-based test", "some Wald ratio"],
        "n_treated": [6, 30], "n_control": [6, 30], "estimate": [1.0, 2.0], "null": [0.0, 1.0],
        "ci_low": [1 - t10 * 0.5, math.exp(math.log(2) - z * 0.25)],
        "ci_high": [1 + t10 * 0.5, math.exp(math.log(2) + z * 0.25)], "dof": [10.0, np.nan],
    })
    got = effect_sizes(rows).set_index("measure")
    assert got.loc["sdq_total", "se"] == pytest.approx(0.5, rel=1e-6)
    assert "t quantile" in got.loc["sdq_total", "note"] and "10" in got.loc["sdq_total", "note"]
    assert got.loc["suspensions", "scale"] == "log ratio"
    assert got.loc["suspensions", "estimate"] == pytest.approx(math.log(2), rel=1e-12)
    assert got.loc["suspensions", "se"] == pytest.approx(0.25, rel=1e-9)
    assert "normal quantile" in got.loc["suspensions", "note"]
