"""Round-3 red team: identifiers in free text (survey comments, memos, quotes) that the pre-publication scan
missed -- NHS numbers, ISO dates of birth, a teacher named with a title, a school's name -- and what it now finds.
All numbers and names are made up; 943 476 5919 is the NHS Number standard's own example."""

from __future__ import annotations

import pandas as pd
import pytest

from cm_research.privacy.audit import audit_run
from cm_research.privacy.deidentify import Deidentifier
from cm_research.privacy.patterns import find_patterns, nhs_check_digit
from cm_research.privacy.register import make_register


def _check_digit_by_hand(nine: str) -> int | None:
    # NHS Number standard: multiply the digits by 10, 9, ..., 2; 11 minus (sum mod 11); 11 -> 0; 10 invalid.
    # 943476591: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9.
    total = sum(int(d) * w for d, w in zip(nine, [10, 9, 8, 7, 6, 5, 4, 3, 2]))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def test_the_nhs_check_digit_agrees_with_the_worked_example():
    assert _check_digit_by_hand("943476591") == 9
    assert nhs_check_digit("943476591") == 9
    for nine in ("401023213", "123456789", "999999999", "000000010", "450557710"):
        assert nhs_check_digit(nine) == _check_digit_by_hand(nine), nine


@pytest.mark.parametrize("text, kind, found", [
    ("Her NHS number is 943 476 5919 if you need it.", "nhs_number", "943 476 5919"),
    ("NHS no. 9434765919", "nhs_number", "9434765919"),
    ("ref 943-476-5919", "nhs_number", "943-476-5919"),
    ("DOB: 2011-03-03", "date_of_birth", "2011-03-03"),
    ("Mr Okafor the teacher helped.", "titled_name", "Mr Okafor"),
    ("Her social worker, Mrs O'Neill, came too.", "titled_name", "Mrs O'Neill"),
    ("I go to St Mary's Primary School now.", "school", "St Mary's Primary School"),
    ("the head at Hillside Academy rang", "school", "Hillside Academy"),
])
def test_the_scan_finds_identifiers_in_free_text(tmp_path, text, kind, found):
    pd.DataFrame({"role": ["carers"], "comment": [text]}).to_csv(tmp_path / "comment_quotes.csv", index=False)
    findings = audit_run(tmp_path)
    assert (kind, found) in set(zip(findings["kind"], findings["text"])), findings.to_string()


@pytest.mark.parametrize("text", [
    "943 476 5918 is not a valid NHS number",  # wrong check digit
    "1234567890 minutes",                       # check digit would be 10: never issued
    "Easton Virtual School referred her.",      # the Virtual School is a service, named like the site
    "a secondary school and a Further Education College", "The school", "sixth form college",
    "Mentoring starts in Year 7.",
])
def test_the_scan_leaves_ordinary_text_alone(tmp_path, text):
    pd.DataFrame({"comment": [text]}).to_csv(tmp_path / "notes.csv", index=False)
    assert audit_run(tmp_path).empty, text


def test_de_identification_replaces_nhs_numbers_and_whole_iso_dates():
    engine = Deidentifier(make_register(pd.DataFrame(columns=["name", "role"]), "no register"))
    out = engine.deidentify("NHS number 943 476 5919. DOB: 2011-03-03.").text
    assert "943" not in out and "5919" not in out and "[NHS number]" in out
    assert "2011" not in out and "20[" not in out  # the whole date, not its last eight characters


def test_names_and_schools_are_left_to_the_register_in_transcripts():
    # de-identification keeps its register-driven handling of names (it flags "Okafor"); only the scan looks for
    # titled names and schools, so transcripts under analysis are not changed by these patterns
    assert [s.kind for s in find_patterns("Mr Okafor at Hillside Academy")] == []
    assert {s.kind for s in find_patterns("Mr Okafor at Hillside Academy", ("titled_name", "school"))} == {
        "titled_name", "school"}
