"""Run parameterised notebooks with papermill: one notebook, or a whole batch of sites."""

from cm_research.batch.config import BatchConfig, BatchConfigError, SiteEntry, load_batch, slugify
from cm_research.batch.execute import NOTEBOOKS_DIR, notebook_parameters, notebook_path, run_notebook
from cm_research.batch.runner import (
    BatchRun,
    Job,
    JobResult,
    demo_config,
    execute_job,
    is_up_to_date,
    run_batch,
    run_demo,
    run_jobs,
)

__all__ = [
    "BatchConfig", "BatchConfigError", "BatchRun", "Job", "JobResult", "NOTEBOOKS_DIR", "SiteEntry",
    "demo_config", "execute_job", "is_up_to_date", "load_batch", "notebook_parameters", "notebook_path",
    "run_batch", "run_demo", "run_jobs", "run_notebook", "slugify",
]
