"""SDQ bands against tables published by others (not typed from the same source as our YAML).

- Teacher four-band: Table 1 of PMC4830858 (reproducing the sdqinfo scoring instructions for 4-17).
- Parent three-band, UK cut-offs: Table 2 ("UK", from the SDQ website) of the 2021 BMC Psychiatry validation of
  the parent SDQ in Mongolia (doi 10.1186/s12888-021-03218-x). Its prosocial row (8-10 / 7 / 0-6) follows the
  newer sdqinfo cut-offs and is not compared: our three-band prosocial row keeps Goodman's (1997) 6-10 / 5 / 0-4.
"""

import pytest

from cm_research.measures import sdq_band

TEACHER_FOUR_BAND = {  # close to average, slightly raised, high, very high (upper edges)
    "total_difficulties": (11, 15, 18, 40),
    "emotional": (3, 4, 5, 10),
    "conduct": (2, 3, 4, 10),
    "hyperactivity": (5, 7, 8, 10),
    "peer": (2, 4, 5, 10),
}
PARENT_THREE_BAND = {  # normal, borderline, abnormal (upper edges)
    "total_difficulties": (13, 16, 40),
    "emotional": (3, 4, 10),
    "conduct": (2, 3, 10),
    "hyperactivity": (5, 6, 10),
    "peer": (2, 3, 10),
}


def _expected(edges, value):
    return next(i for i, top in enumerate(edges) if value <= top)


@pytest.mark.parametrize("score", sorted(TEACHER_FOUR_BAND))
def test_teacher_four_band_edges(score):
    edges = TEACHER_FOUR_BAND[score]
    values = list(range(0, edges[-1] + 1))
    bands = sdq_band(values, score, "teacher", "four_band").tolist()
    order = list(dict.fromkeys(bands))
    assert len(order) == 4
    assert [order.index(b) for b in bands] == [_expected(edges, v) for v in values]


@pytest.mark.parametrize("score", sorted(PARENT_THREE_BAND))
def test_parent_three_band_edges(score):
    edges = PARENT_THREE_BAND[score]
    values = list(range(0, edges[-1] + 1))
    bands = sdq_band(values, score, "parent", "three_band").tolist()
    assert bands[0] == "normal" and bands[-1] == "abnormal"
    names = ["normal", "borderline", "abnormal"]
    assert bands == [names[_expected(edges, v)] for v in values]
