"""Prompts for the partnership's reflection, drawn from the survey results (questions to discuss, not findings)."""

from __future__ import annotations

import pandas as pd

__all__ = ["reflection_prompts"]

#: Questions every cycle's reflection should ask, whatever the data say.
STANDING_PROMPTS = (
    "Whose voices are missing or thin in the survey (see who answered), and how could the next cycle reach them?",
    "The comment codes are keyword suggestions: which of them hold up when you read the comments "
    "(comment_suggestions_for_review.csv), and what did the codebook miss?",
    "What will the next cycle change, what would you expect to see if it works, and how will you know?",
)


def _names(table: pd.DataFrame) -> str:
    column = "label" if "label" in table else "item"
    return ", ".join(f"“{v}”" for v in table[column])


def reflection_prompts(change: pd.DataFrame, reliability: pd.DataFrame | None = None,
                       alpha_floor: float = 0.7) -> list[str]:
    """Discussion prompts from the item changes (:func:`cm_research.surveys.wave_change` with a catalogue, so it
    has ``reading``) and the scale's reliability (:func:`cm_research.surveys.scale_reliability`).

    Items are grouped by the direction of their median change; items whose change rests on few respondents
    (fewer than 6 changed their answer) are named so they are read as hints. Alpha below ``alpha_floor``
    (0.7, Nunnally 1978's rule of thumb for group comparisons) prompts reading the items one by one.
    """
    prompts = []
    if "reading" in change:
        fewer = change[change["reading"] == "towards fewer barriers"]
        more = change[change["reading"] == "towards more barriers"]
        still = change[change["reading"] == "no change in the median"]
        if len(fewer):
            prompts.append(f"Answers moved towards fewer barriers on {_names(fewer)}. Which of the cycle's actions "
                           "might explain each, and what else changed over the same months?")
        if len(more):
            prompts.append(f"Answers moved towards more barriers on {_names(more)}. What happened, and is it a "
                           "barrier the partnership can act on?")
        if len(still):
            prompts.append(f"The median answer did not move on {_names(still)}. Were these within the "
                           "partnership's reach in this cycle?")
    few = change[change["n_pairs"].fillna(0) < 10] if "n_pairs" in change else change.iloc[0:0]
    if len(few):
        prompts.append(f"Fewer than 10 people answered {_names(few)} at both waves: treat their change as a hint.")
    if reliability is not None and len(reliability):
        alpha = reliability[reliability["method"].str.startswith("Cronbach")]
        weak = alpha[alpha["estimate"] < alpha_floor]
        if len(weak):
            where = f" at {', '.join(map(str, weak['wave']))}" if "wave" in weak else ""
            prompts.append(f"The items hang together weakly (Cronbach's alpha {weak['estimate'].min():.2f}{where}): "
                           "read the items one by one rather than as a scale score.")
    return prompts + list(STANDING_PROMPTS)
