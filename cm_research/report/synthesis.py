"""Cross-site synthesis: pool each measure's per-site effect across the sites of a run.

Each site's outcomes notebook writes ``effect_sizes.csv`` (measure, scale, estimate, se, site). For every
measure reported by at least two sites, the estimates are pooled with a random-effects meta-analysis
(:func:`cm_research.stats.meta.random_effects`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cm_research.dictionary import measures_catalogue
from cm_research.plots.meta import meta_forest_plot
from cm_research.stats.meta import MetaAnalysisError, random_effects
from cm_research.contract import write_records
from cm_research.data.writing import formula_safe

SYNTHESIS_COLUMNS = ["measure", "title", "scale", "k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high",
                     "tau2", "i2", "q_p_val", "method", "note"]


def collect_effect_sizes(run_dir: str | Path) -> pd.DataFrame:
    """Stack every ``<site>/effect_sizes.csv`` under ``run_dir``."""
    files = sorted(Path(run_dir).glob("*/effect_sizes.csv"))
    if not files:
        raise FileNotFoundError(f"no */effect_sizes.csv under {run_dir}: run the outcomes notebook for each site first")
    tables = []
    for f in files:
        t = pd.read_csv(f, keep_default_na=True)
        if "site" not in t or t["site"].isna().all():
            t["site"] = f.parent.name
        tables.append(t)
    return pd.concat(tables, ignore_index=True)


def demo_effect_sizes() -> pd.DataFrame:
    """Effect sizes of the three synthetic demo sites, computed now (for running the notebook on its own)."""
    from cm_research.data import load_evaluation
    from cm_research.datasets import DEMO_SITES, dataset_path
    from cm_research.report.outcomes import outcome_analysis

    with tempfile.TemporaryDirectory() as tmp:
        for spec in DEMO_SITES:
            outcome_analysis(load_evaluation(dataset_path("demo") / spec.slug), Path(tmp) / spec.slug,
                             n_boot=200, site=spec.site)
        return collect_effect_sizes(tmp)


@dataclass
class Synthesis:
    pooled: pd.DataFrame
    studies: pd.DataFrame
    figures: dict[str, plt.Figure] = field(default_factory=dict)

    def figure_data(self, measure: str) -> pd.DataFrame:
        """The numbers behind the forest plot of ``measure``: each site's estimate and CI, then the pooled row
        (site-level aggregates already published in ``site_effects.csv`` and ``pooled_effects.csv``)."""
        sites = self.studies[self.studies["measure"] == measure]
        sites = sites.reindex(columns=["study", "estimate", "ci_low", "ci_high", "weight"]).rename(
            columns={"study": "site"})
        pooled = self.pooled[self.pooled["measure"] == measure].reindex(columns=["estimate", "ci_low", "ci_high"])
        return pd.concat([sites, pooled.assign(site="pooled (random effects)")], ignore_index=True)


def forest_data_name(measure: str) -> str:
    """The file name of the numbers behind the forest plot of ``measure``."""
    return f"forest_{measure}_data.csv"


def synthesise(effects: pd.DataFrame, method: str = "REML", hartung_knapp: bool = True,
               confidence: float = 0.95) -> Synthesis:
    """Pool each measure across sites. Measures with fewer than two usable sites get a row saying so."""
    titles = measures_catalogue()["title"]
    pooled, studies, figures = [], [], {}
    for (measure, scale), rows in effects.groupby(["measure", "scale"], sort=False):
        rows = rows[np.isfinite(rows["estimate"]) & np.isfinite(rows["se"]) & (rows["se"] > 0)]
        base = {"measure": measure, "title": titles.get(measure, measure), "scale": scale, "k": len(rows)}
        try:
            result = random_effects(rows["estimate"], rows["se"] ** 2, studies=list(rows["site"]), method=method,
                                    hartung_knapp=hartung_knapp, confidence=confidence,
                                    scale="log" if scale == "log ratio" else "identity")
        except MetaAnalysisError as exc:
            pooled.append({**base, "note": str(exc)})
            continue
        s = result.summary.iloc[0]
        pooled.append({**base, **{c: s[c] for c in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2",
                                                     "i2", "q_p_val", "method", "note") if c in s}})
        studies.append(result.studies.assign(measure=measure))
        fig, ax = plt.subplots(figsize=(7, 1.6 + 0.45 * len(rows)))
        meta_forest_plot(result.studies, result.summary, exponentiate=scale == "log ratio", ax=ax)
        ax.set_title(f"{titles.get(measure, measure)}: mentored − comparison, by site")
        fig.tight_layout()
        plt.close(fig)
        figures[measure] = fig
    return Synthesis(pooled=pd.DataFrame(pooled).reindex(columns=SYNTHESIS_COLUMNS),
                     studies=pd.concat(studies, ignore_index=True) if studies else pd.DataFrame(),
                     figures=figures)


def write_synthesis(synthesis: Synthesis, output_dir: str | Path) -> None:
    """Write the pooled and per-site effect tables, and each forest plot with the numbers behind it, to
    ``output_dir``."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    # site names are typed by people: a site called =HYPERLINK(...) must stay text in Excel
    write_records(formula_safe(synthesis.pooled), out / "pooled_effects.csv")
    write_records(formula_safe(synthesis.studies), out / "site_effects.csv")
    for measure, fig in synthesis.figures.items():
        fig.savefig(out / f"forest_{measure}.png", dpi=120, bbox_inches="tight")
        write_records(formula_safe(synthesis.figure_data(measure)), out / forest_data_name(measure))
