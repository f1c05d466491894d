"""Statistics for outcome comparisons (pingouin-style: tidy DataFrames in and out)."""

from cm_research.contract import InsufficientDataError
from .change import ReliableChangeTable, clinical_cutoffs, reliable_change, reliable_change_table
from .counts import rate_ratio
from .cox import hazard_ratio
from .groups import ancova, compare_groups
from .logistic import logistic_regression
from .matching import (
    Matching,
    MatchingError,
    PoorBalanceWarning,
    UnmatchedTreatedWarning,
    balance_table,
    match_groups,
    matched_effect,
)
from .meta import (MetaAnalysis, MetaAnalysisError, MetaRegression, meta_analysis, meta_regression, moderator_slopes,
                   random_effects)
from .outcomes import adjust_p, change_within_group, compare_outcomes, holm
from .paired import paired_change, signed_rank_test
from .power import power_paired, power_two_groups
from .single_case import SingleCaseDataError, nap, pnd, single_case_effects, tau, tau_u
from .proportions import (compare_proportions, compare_proportions_two_periods, proportion_interval, proportion_table,
                          wilson_interval)
from .survival import (
    SurvivalDataError,
    kaplan_meier,
    at_risk_counts,
    logrank_test,
    survival_at,
    survival_summary,
)

__all__ = [
    "InsufficientDataError",
    "paired_change",
    "signed_rank_test",
    "compare_groups",
    "ancova",
    "logistic_regression",
    "proportion_interval",
    "wilson_interval",
    "proportion_table",
    "compare_proportions",
    "compare_proportions_two_periods",
    "rate_ratio",
    "power_two_groups",
    "power_paired",
    "compare_outcomes",
    "change_within_group",
    "holm",
    "adjust_p",
    "Matching",
    "MatchingError",
    "PoorBalanceWarning",
    "UnmatchedTreatedWarning",
    "balance_table",
    "match_groups",
    "matched_effect",
    "MetaAnalysis",
    "MetaAnalysisError",
    "meta_analysis",
    "MetaRegression",
    "meta_regression",
    "moderator_slopes",
    "random_effects",
    "ReliableChangeTable",
    "reliable_change",
    "clinical_cutoffs",
    "reliable_change_table",
    "SingleCaseDataError",
    "nap",
    "pnd",
    "single_case_effects",
    "tau",
    "tau_u",
    "SurvivalDataError",
    "kaplan_meier",
    "logrank_test",
    "hazard_ratio",
    "at_risk_counts",
    "survival_at",
    "survival_summary",
]

from cm_research.deprecation import moved_attribute  # noqa: E402

# number_at_risk applies the suppression policy, so it lives with the figure that publishes it
__getattr__ = moved_attribute(__name__, {"number_at_risk": "cm_research.plots.survival:number_at_risk"})
