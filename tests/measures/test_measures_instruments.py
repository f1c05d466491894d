"""The instrument files: they load, agree with the measures catalogue, and a broken file gets an error
that names the file and the entry at fault."""

from __future__ import annotations

import textwrap

import pytest

from cm_research.dictionary import measures_catalogue
from cm_research.measures import (
    InstrumentDefinitionError,
    UnknownInstrumentError,
    load_instrument,
    load_instruments,
    measure_metadata,
    measures_with_reliability,
)

GOOD = """\
name: demo_scale
title: Demo scale
source: invented for a test
response: {min: 1, max: 4}
items:
  - {name: a}
  - {name: b, reverse: true}
  - {name: c}
scores:
  - {name: total, items: [a, b, c], method: sum, range: [3, 12], better: higher}
"""


def write(tmp_path, text: str, name: str = "demo_scale.yaml"):
    folder = tmp_path / "instruments"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_every_bundled_instrument_loads():
    ids = set(load_instruments())
    assert {"sdq_parent", "sdq_teacher", "sdq_self", "swemwbs", "wemwbs", "creative_habits"} <= ids


def test_sdq_items_and_scales_are_the_published_ones():
    # Goodman (1997) / sdqinfo: items by number for each scale, five reverse-scored items.
    sdq = load_instrument("sdq", "parent")
    number = {i.name: i.number for i in sdq.items}
    scales = {s.name: sorted(number[i] for i in s.items) for s in sdq.scores if s.kind == "items"}
    assert scales == {
        "emotional": [3, 8, 13, 16, 24],
        "conduct": [5, 7, 12, 18, 22],
        "hyperactivity": [2, 10, 15, 21, 25],
        "peer": [6, 11, 14, 19, 23],
        "prosocial": [1, 4, 9, 17, 20],
    }
    assert sorted(number[i] for i in sdq.reverse_items) == [7, 11, 14, 21, 25]
    assert sdq.score("total_difficulties").sum_of == ("emotional", "conduct", "hyperactivity", "peer")
    assert sdq.score("externalising").sum_of == ("conduct", "hyperactivity")
    assert sdq.score("internalising").sum_of == ("emotional", "peer")


def test_sdq_versions_differ_in_impact_items_and_aliases_resolve():
    assert load_instrument("sdq", "carer").id == "sdq_parent"
    assert load_instrument("sdq", "self_report").id == "sdq_self"
    assert load_instrument("sdq_teacher").impact.items == ("distres", "impfrie", "impclas")
    assert load_instrument("sdq_parent").impact.items == ("distres", "imphome", "impfrie", "impclas", "impleis")
    assert load_instrument("sdq_teacher").impact.high == 6 and load_instrument("sdq_self").impact.high == 10


def test_unknown_names_list_what_exists():
    with pytest.raises(UnknownInstrumentError, match="its versions are: .*carer.*parent"):
        load_instrument("sdq", "grandparent")
    with pytest.raises(UnknownInstrumentError, match="say which"):
        load_instrument("sdq")
    with pytest.raises(UnknownInstrumentError, match="define: .*wemwbs"):
        load_instrument("kessler10")


def test_measures_named_by_instruments_exist_and_agree_on_direction():
    catalogue = measures_catalogue()
    for inst in load_instruments().values():
        for score in inst.scores:
            if score.measure:
                assert score.measure in catalogue.index, f"{inst.id}.{score.name} -> {score.measure}"
                assert catalogue.loc[score.measure, "better"] == score.better
                assert (score.low, score.high) == (catalogue.loc[score.measure, "minimum"],
                                                   catalogue.loc[score.measure, "maximum"])


def test_reliability_metadata_is_cited_and_where_expected():
    assert measures_with_reliability() == ["sdq_total", "wemwbs"]
    inst, score = measure_metadata("sdq_total")
    assert inst.id == "sdq_parent" and score.name == "total_difficulties"
    assert score.reliability.value == 0.82 and "Goodman" in score.reliability.source
    assert score.normative_sd.value == 5.8 and "norms" in score.normative_sd.source
    assert measure_metadata("attendance_pct") is None
    for inst in load_instruments().values():
        for s in inst.scores:
            for cited in (s.reliability, s.normative_sd, s.clinical_cutoff):
                if cited is not None:
                    assert len(cited.source) > 10, f"{inst.id}.{s.name}: every value needs its source"


def test_clinical_cutoffs_start_the_high_band():
    # The example: leaving the SDQ "high" band. The cut-off must be the first "high" score.
    for informant in ("parent", "teacher", "self"):
        inst = load_instrument("sdq", informant)
        cutoff = inst.score("total_difficulties").clinical_cutoff.value
        high = {b.label: b for b in inst.band_schemes["four_band"].bands["total_difficulties"]}["high"]
        assert cutoff == high.low


def test_a_good_file_loads_from_another_folder(tmp_path):
    inst = load_instrument("demo_scale", folder=write(tmp_path, GOOD))
    assert inst.reverse_items == ["b"] and inst.score("total").needed == 3


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace("[a, b, c], method", "[a, b, d], method"), r"demo_scale.yaml, score 'total': unknown item\(s\) d"),
    (GOOD.replace("range: [3, 12]", "range: [3, 13]"), r"score 'total': range \[3, 13\] does not match 3 items"),
    (GOOD.replace("better: higher", "better: up"), r"score 'total': better must be one of"),
    (GOOD.replace("  - {name: c}\n", "  - {name: a}\n"), r"items: item names repeated: a"),
    (GOOD.replace("method: sum", "method: sum, min_answered: 5"), r"min_answered must be a whole number from 1 to 3"),
    (GOOD.replace("source: invented for a test\n", ""), r"top level: 'source' is missing"),
    (GOOD + "  - {name: double, sum_of: [total, nothing], range: [6, 24], better: higher}\n",
     r"score 'double': sum_of names score\(s\) not defined above it: nothing"),
])
def test_broken_files_name_file_and_entry(tmp_path, broken, message):
    with pytest.raises(InstrumentDefinitionError, match=message):
        load_instruments(write(tmp_path, broken))


def test_bands_must_tile_the_score_range(tmp_path):
    gap = GOOD + textwrap.dedent("""\
        versions:
          v1:
            bands:
              two:
                source: a test
                total: {low: [3, 6], high: [8, 12]}
        """)
    with pytest.raises(InstrumentDefinitionError, match=r"bands 'low' \(3-6\) and 'high' \(8-12\) leave a gap"):
        load_instruments(write(tmp_path, gap))
    short = gap.replace("[8, 12]", "[7, 11]")
    with pytest.raises(InstrumentDefinitionError, match="bands must run from 3 to 12"):
        load_instruments(write(tmp_path, short))


def test_conversion_table_must_cover_every_raw_score_and_increase(tmp_path):
    conv = GOOD + "conversions:\n  - {name: metric, from: total, better: higher, source: s, table: {%s}}\n"
    full = ", ".join(f"{k}: {k + 0.5}" for k in range(3, 13))
    assert load_instrument("demo_scale", folder=write(tmp_path, conv % full)).score("metric").table[12] == 12.5
    with pytest.raises(InstrumentDefinitionError, match="one entry for every score 3-12"):
        load_instruments(write(tmp_path, conv % full.replace("12: 12.5", "")))
    with pytest.raises(InstrumentDefinitionError, match="must increase"):
        load_instruments(write(tmp_path, conv % full.replace("4: 4.5", "4: 1.0")))


def test_reliability_must_be_a_proportion(tmp_path):
    bad = GOOD.replace("better: higher}", "better: higher, reliability: {value: 1.3, source: x}}")
    with pytest.raises(InstrumentDefinitionError, match=r"score 'total', reliability: value 1.3 must be a number"):
        load_instruments(write(tmp_path, bad))


def test_not_yaml_is_named(tmp_path):
    with pytest.raises(InstrumentDefinitionError, match="demo_scale.yaml: not valid YAML"):
        load_instruments(write(tmp_path, "name: [unclosed"))
