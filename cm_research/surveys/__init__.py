"""Surveys for action research: Likert items (distributions, medians with CIs, change between waves), scale
reliability, free-text comments coded with a codebook (as suggestions to review), and the cycle record.

Typical use::

    from cm_research import surveys

    survey = surveys.load_survey("data/easton_arts/")            # survey_responses.csv, survey_comments.csv
    answers = survey.responses.data
    surveys.likert_items(answers, labels=survey.items.set_index("item")["label"])
    surveys.wave_change(answers, catalogue=survey.items)
    surveys.scale_reliability(answers, survey.items, "barriers")
    cycle = surveys.load_cycle("data/easton_arts/action_research_cycle.yaml")
"""

from cm_research.surveys.comments import (BARRIERS_CODEBOOK, COMMENTS_BASIS, RESPONDENT_ROLES, code_counts_by_role,
                                          comment_quotes, comment_segments, load_barriers_codebook, role_label,
                                          suggest_comment_codes)
from cm_research.surveys.cycle import (CYCLE_FIELDS, CYCLE_FILE, ActionResearchCycle, cycle_fields_table,
                                       cycle_markdown, load_cycle)
from cm_research.surveys.errors import CycleFileError, SurveyDataError, SurveyExportError
from cm_research.surveys.exports import read_survey_export, survey_export_items, survey_export_responses
from cm_research.surveys.likert import (LEVEL_LABELS, keyed_responses, likert_distribution, likert_items, median_ci,
                                        reverse_score, wave_change)
from cm_research.surveys.loading import Survey, load_survey, survey_catalogue
from cm_research.surveys.prompts import reflection_prompts
from cm_research.surveys.respondents import respondents_by_role
from cm_research.surveys.scales import item_matrix, scale_items, scale_reliability, scale_scores

__all__ = [
    "ActionResearchCycle", "BARRIERS_CODEBOOK", "COMMENTS_BASIS", "CYCLE_FIELDS", "CYCLE_FILE", "CycleFileError", "SurveyExportError",
    "LEVEL_LABELS", "RESPONDENT_ROLES", "Survey", "SurveyDataError", "code_counts_by_role", "comment_quotes",
    "comment_segments", "cycle_fields_table", "cycle_markdown", "item_matrix", "keyed_responses",
    "likert_distribution", "likert_items", "load_barriers_codebook", "load_cycle", "load_survey", "median_ci", "read_survey_export", "reflection_prompts",
    "respondents_by_role", "reverse_score", "role_label", "scale_items", "scale_reliability", "scale_scores", "suggest_comment_codes",
    "survey_catalogue", "survey_export_items", "survey_export_responses", "wave_change",
]
