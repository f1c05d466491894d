"""Score questionnaires (SDQ, SWEMWBS, WEMWBS, a partnership's own Likert scales) from the instrument
files in ``data_dictionary/instruments/``, and estimate their reliability."""

from cm_research.measures.errors import (
    InstrumentDefinitionError,
    ItemResponseError,
    MissingReliabilityError,
    UnknownInstrumentError,
)
from cm_research.measures.instruments import (
    Instrument,
    instruments_dir,
    load_instrument,
    load_instruments,
    measure_metadata,
    measures_with_reliability,
)
from cm_research.measures.icc import icc
from cm_research.measures.reliability import cronbach_alpha, mcdonald_omega, scale_reliability
from cm_research.measures.scoring import assign_band, score_instrument, scores_wide, to_outcomes
from cm_research.measures.sdq import score_sdq, sdq_band
from cm_research.measures.wellbeing import score_swemwbs, score_wemwbs, swemwbs_metric

__all__ = [
    "Instrument",
    "InstrumentDefinitionError",
    "ItemResponseError",
    "MissingReliabilityError",
    "UnknownInstrumentError",
    "assign_band",
    "cronbach_alpha",
    "icc",
    "instruments_dir",
    "load_instrument",
    "load_instruments",
    "mcdonald_omega",
    "measure_metadata",
    "measures_with_reliability",
    "scale_reliability",
    "score_instrument",
    "score_sdq",
    "score_swemwbs",
    "score_wemwbs",
    "scores_wide",
    "sdq_band",
    "swemwbs_metric",
    "to_outcomes",
]
