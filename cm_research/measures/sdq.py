"""The Strengths and Difficulties Questionnaire: scoring and bands for the parent (carer), teacher and
self-report versions, as defined in ``data_dictionary/instruments/sdq.yaml``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cm_research.measures.instruments import load_instrument
from cm_research.measures.scoring import assign_band, score_instrument

INFORMANTS = ("parent", "teacher", "self")


def score_sdq(
    data: pd.DataFrame,
    informant: str = "parent",
    *,
    prefix: str = "",
    band_scheme: str | None = "four_band",
    min_answered: int | None = None,
    source: str = "",
) -> pd.DataFrame:
    """Score SDQ forms: five scales, total difficulties, externalising, internalising and (when its
    columns are present) impact, each with its published band for the informant's version.

    Parameters
    ----------
    data : one row per completed form; the 25 item columns named as in the official syntax
        (``consid``, ``restles``, ... ``attends``, with ``prefix`` in front if used, e.g. ``pconsid``),
        answers 0 not true, 1 somewhat true, 2 certainly true as ticked; impact columns ``ebddiff``,
        ``distres``, ``imphome``, ``impfrie``, ``impclas``, ``impleis`` (teacher: ``distres``,
        ``impfrie``, ``impclas``) answered 0-3.
    informant : ``"parent"`` (also ``"carer"``: foster carers use the parent form), ``"teacher"`` or ``"self"``.
    band_scheme : ``"four_band"`` (close to average / slightly raised / high / very high), ``"three_band"``
        (normal / borderline / abnormal) or None.
    min_answered : answered items a scale needs to be scored. Default 3 of 5, the published rule
        (sdqinfo: "scaled up pro-rata if at least 3 items were completed"); 4 allows only one missing item.

    Returns
    -------
    The tidy table of :func:`cm_research.measures.score_instrument`.

    Notes
    -----
    Scoring follows youthinmind's "Scoring the SDQ for age 4-17" (sdqinfo.org): items 7, 11, 14, 21 and
    25 (obeys, friend, popular, reflect, attends) are reverse-scored; a scale with at least 3 of its 5
    items answered is prorated, round_half_up(sum x 5 / answered); total difficulties (0-40) is the sum
    of the emotional, conduct, hyperactivity and peer scales and is missing when any of them is;
    externalising = conduct + hyperactivity and internalising = emotional + peer (Goodman, Lamping &
    Ploubidis 2010). Impact = distress + interference items recoded 0, 0, 1, 2; 0 when the overall
    question is answered "no".

    References
    ----------
    Goodman, R. (1997). The Strengths and Difficulties Questionnaire: a research note. J Child Psychol
    Psychiatry, 38, 581-586.

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.measures import load_instrument, score_sdq
    >>> items = load_instrument("sdq", "parent").item_names
    >>> form = pd.DataFrame([{name: 1 for name in items}])
    >>> scored = score_sdq(form, "carer")
    >>> total = scored.set_index("score").loc["total_difficulties"]
    >>> float(total["value"]), total["band"]
    (20.0, 'very high')
    """
    return score_instrument(data, "sdq", _version(informant), prefix=prefix, band_scheme=band_scheme,
                            min_answered=min_answered, source=source)


def sdq_band(values: pd.Series | Sequence[float], score: str = "total_difficulties", informant: str = "parent",
             scheme: str = "four_band") -> pd.Series:
    """Published band of SDQ scores already computed (e.g. the ``sdq_total`` values of an outcomes table)."""
    return assign_band(values, load_instrument("sdq", _version(informant)), score, scheme)


def _version(informant: str) -> str:
    return load_instrument("sdq", informant).version
