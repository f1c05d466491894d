"""The demo: which notebooks ``cm-research demo`` (``make demo``) runs on the synthetic demo sites, published and
internal. The demo data themselves are made in :mod:`cm_research.datasets`; the batch machinery is
:mod:`cm_research.batch.runner`.
"""

from __future__ import annotations

from pathlib import Path

from cm_research.batch.config import BatchConfig, SiteEntry
from cm_research.batch.runner import BatchRun, run_batch

DEMO_NOTEBOOKS = ("01_data_quality", "02_outcomes", "06_site_report")
DEMO_SUMMARY_NOTEBOOKS = ("03_thematic_analysis", "04_cross_site_synthesis", "07_action_research")


def demo_config(notebooks: tuple[str, ...] = DEMO_NOTEBOOKS,
                summary_notebooks: tuple[str, ...] = DEMO_SUMMARY_NOTEBOOKS) -> BatchConfig:
    """The batch that ``make demo`` runs: every demo notebook for the three synthetic sites."""
    from cm_research.datasets import DEMO_SITES, dataset_path
    from cm_research.datasets.transcripts import transcripts_dir

    demo = dataset_path("demo")
    interviews = transcripts_dir()
    coding = sorted((interviews / "coding").glob("*.csv"))
    # the site report reads the demo interviews: naming them as parameters puts them in its fingerprint
    shared = {"transcripts_dir": str(interviews), **({"coding_file": str(coding[0])} if coding else {})}
    sites = [SiteEntry(site=s.site, slug=s.slug, parameters={"data_dir": str(demo / s.slug), "site": s.site, **shared})
             for s in DEMO_SITES]
    return BatchConfig(run="demo", notebooks=list(notebooks), sites=sites, summary_notebooks=list(summary_notebooks))


#: the internal demo run (a separate folder beside the published one): the case study of one young person and
#: the outcomes without suppression (individual-level figures: reliable-change scatter, paired slopes), then
#: (once, on its default demo site) mentor suggestions for the young people waiting
DEMO_INTERNAL_NOTEBOOKS = ("08_case_study", "02_outcomes")
# single-case series are one child's case lines: internal only, like the case study (issue 15)
DEMO_INTERNAL_SUMMARY_NOTEBOOKS = ("05_single_case", "09_mentor_matching")
DEMO_CASE_STUDY_SITE = "easton"


def internal_run_dir(published_run_dir: str | Path) -> Path:
    """The internal run's folder for a published run: ``outputs/demo`` -> ``outputs/demo-internal`` (a sibling,
    never inside the published run)."""
    published = Path(published_run_dir).resolve()
    return published.parent / f"{published.name}-internal"


def internal_demo_config(notebooks: tuple[str, ...] = DEMO_INTERNAL_NOTEBOOKS,
                         summary_notebooks: tuple[str, ...] = DEMO_INTERNAL_SUMMARY_NOTEBOOKS) -> BatchConfig:
    """The internal demo batch: the case study (its default young person) and the unsuppressed outcomes report
    (individual-level figures) for the Easton demo site, and the mentor suggestions for Westbury's waiting list (the notebook's defaults)."""
    from cm_research.datasets import DEMO_SITES, dataset_path
    from cm_research.datasets.transcripts import transcripts_dir

    spec = next(s for s in DEMO_SITES if s.slug == DEMO_CASE_STUDY_SITE)
    params = {"data_dir": str(dataset_path("demo") / spec.slug), "site": spec.site,
              "transcripts_dir": str(transcripts_dir()), "suppress_small_counts": False}
    return BatchConfig(run="demo-internal", notebooks=list(notebooks),
                       sites=[SiteEntry(site=spec.site, slug=spec.slug, parameters=params)],
                       summary_notebooks=list(summary_notebooks), publication=False)


def run_internal_demo(published_run_dir: str | Path = "outputs/demo", n_jobs: int | None = None,
                      progress: bool = True, resume: bool = False,
                      notebooks: tuple[str, ...] = DEMO_INTERNAL_NOTEBOOKS) -> BatchRun:
    """Run the internal demo (the case study, mentor suggestions) into :func:`internal_run_dir` of
    ``published_run_dir``."""
    return run_batch(internal_demo_config(notebooks), n_jobs=n_jobs, progress=progress, resume=resume,
                     run_dir=internal_run_dir(published_run_dir), synthetic=True, publication=False)


def run_demo(output_root: str | Path = "outputs/demo", n_jobs: int | None = None, progress: bool = True,
             notebooks: tuple[str, ...] = DEMO_NOTEBOOKS, resume: bool = False,
             summary_notebooks: tuple[str, ...] = DEMO_SUMMARY_NOTEBOOKS, internal: bool = True):
    """Run the demo batch into ``output_root`` and, with ``internal``, the internal case study into a separate
    folder beside it (:func:`internal_run_dir`; the published index never links to it). Returns (index path of
    the published run, job results of both runs)."""
    run = run_batch(demo_config(notebooks, summary_notebooks), n_jobs=n_jobs, progress=progress, resume=resume,
                    run_dir=output_root, synthetic=True)
    results = list(run.results)
    if internal:
        results += run_internal_demo(output_root, n_jobs=n_jobs, progress=progress, resume=resume).results
    return run.index, results
