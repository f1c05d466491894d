"""Old argument names are kept for one release and warn (cm_research.deprecation; CONTRIBUTING.md, "Naming")."""

from __future__ import annotations

import inspect
import warnings

import pandas as pd
import pytest

from cm_research import stats, surveys
from cm_research.deprecation import CMResearchDeprecationWarning, renamed_arguments
from cm_research.mentors import analysis as mentor_analysis
from cm_research.report import matches as match_report

RENAMED = [stats.paired_change, stats.reliable_change, stats.compare_outcomes, stats.change_within_group,
           stats.match_groups, stats.matched_effect, stats.single_case_effects, stats.kaplan_meier,
           stats.survival_at, stats.survival_summary, stats.meta_analysis, mentor_analysis.spearman,
           mentor_analysis.interests_and_length, mentor_analysis.interests_and_outcome,
           match_report.analyse_matches, match_report.match_summary, match_report.describe_matches,
           surveys.keyed_responses, surveys.likert_distribution, surveys.likert_items, surveys.wave_change,
           surveys.item_matrix, surveys.scale_scores, surveys.scale_reliability, surveys.respondents_by_role]


@pytest.mark.parametrize("function", RENAMED, ids=lambda f: f.__name__)
def test_each_renamed_function_takes_the_new_name_and_no_longer_lists_the_old(function):
    params = inspect.signature(function).parameters
    for old, new in function.__renamed_arguments__.items():
        assert new in params and old not in params


def test_the_old_name_gives_the_same_result_with_a_warning_and_both_names_are_refused():
    data = pd.DataFrame({"participant_id": [1, 2, 3, 1, 2, 3], "timepoint": ["baseline"] * 3 + ["post"] * 3,
                         "value": [10.0, 12, 9, 13, 15, 10]})
    new = stats.paired_change(data, baseline="baseline", post="post", n_boot=200)
    with pytest.warns(CMResearchDeprecationWarning, match="is now called") as caught:
        old = stats.paired_change(data, before="baseline", after="post", n_boot=200)
    assert sorted(str(w.message) for w in caught) == [
        "paired_change(): the argument `after` is now called `post`; `after` goes in release 0.3.",
        "paired_change(): the argument `before` is now called `baseline`; `before` goes in release 0.3."]
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="given both `after` and `post`"):
        stats.paired_change(data, after="post", post="post")


def test_a_new_name_gives_no_warning():
    @renamed_arguments(conf_level="confidence")
    def interval(confidence=0.95):
        return confidence

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert interval(confidence=0.9) == 0.9
    assert interval.__name__ == "interval" and interval.__wrapped__(0.8) == 0.8


@pytest.mark.parametrize("old, name, new", [
    ("cm_research.qual.refi", "import_qda", "cm_research.interop.qda.read"),
    ("cm_research.qual.refi", "export_qdpx", "cm_research.interop.qda.write"),
    ("cm_research.qual.refi", "_place", "cm_research.interop.qda.offsets"),
    ("cm_research.qual.refi", "GUID_NAMESPACE", "cm_research.interop.qda.read"),
    ("cm_research.qual.taguette", "import_taguette", "cm_research.interop.qda.taguette"),
    ("cm_research.qual.qda_extras", "ProjectExtras", "cm_research.interop.qda.extras"),
    ("cm_research.qual.qda_folder", "write_project_folder", "cm_research.interop.qda.folder"),
    ("cm_research.qual.qda_folder", "read_memos", "cm_research.qual.memos"),
    ("cm_research.qual", "export_qdpx", "cm_research.interop.qda.write"),
])
def test_the_moved_qda_modules_keep_their_old_paths_for_one_release(old, name, new):
    import importlib

    with pytest.warns(CMResearchDeprecationWarning, match=f"{old}.{name} is now {new}.{name}"):
        moved = getattr(importlib.import_module(old), name)
    assert moved is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError, match="has no attribute"):
        getattr(importlib.import_module(old), "no_such_name")
