"""Run parameterised notebooks with papermill: one notebook, or a whole batch of sites."""

from cm_research.batch.audience import PublicationError, is_internal, notebook_audience
from cm_research.batch.config import BatchConfig, BatchConfigError, SiteEntry, load_batch, slugify
from cm_research.batch.execute import NOTEBOOKS_DIR, notebook_parameters, notebook_path, run_notebook
from cm_research.batch.demo import demo_config, internal_demo_config, internal_run_dir, run_demo, run_internal_demo
from cm_research.batch.runner import BatchRun, Job, JobResult, execute_job, is_up_to_date, run_batch, run_jobs

__all__ = [
    "BatchConfig", "BatchConfigError", "BatchRun", "Job", "JobResult", "NOTEBOOKS_DIR", "SiteEntry",
    "PublicationError", "demo_config", "execute_job", "internal_demo_config", "internal_run_dir", "is_internal",
    "is_up_to_date", "notebook_audience", "run_internal_demo", "load_batch", "notebook_parameters", "notebook_path",
    "run_batch", "run_demo", "run_jobs", "run_notebook", "slugify",
]
