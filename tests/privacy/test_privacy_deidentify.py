"""Transcript de-identification on a synthetic transcript seeded with every hard case, each listed below."""

import re

import pandas as pd
import pytest

from cm_research.privacy.deidentify import Deidentifier, deidentify_files, deidentify_text, is_sentence_start
from cm_research.privacy.errors import MappingLocationError, RegisterError
from cm_research.privacy.patterns import find_patterns
from cm_research.privacy.register import load_register, make_register

# SYNTHETIC: every name, number and address below is invented for these tests.
REGISTER = pd.DataFrame(
    [
        ("Alex Moore", "mentee", ""),
        ("Sam Patel", "mentee", ""),
        ("Jamie Okoro", "mentee", "Jay"),  # the third mentee: [Mentee-3]
        ("Hope Whitaker", "carer", ""),  # "Hope" is also a word
        ("Daniel Reeve", "social_worker", ""),
        ("Oakfield Academy", "school", "Oakfield"),
    ],
    columns=["name", "role", "variants"],
)

TRANSCRIPT = """SYNTHETIC: invented for the cm_research tests, every name and number is made up.
Interviewer: How have the sessions been going for Jamie?
Carer: Jamie's confidence has really grown. At Oakfield they call him Okoro, or Jay.
Interviewer: And you are?
Carer: Hope Whitaker, his foster carer. Hope is fine. I hope that is OK.
Carer: Miss Whitaker is what the school calls me. Daniel Reeve asked Hope to ring him on 07700 900123.
Carer: You can write to hope.whitaker@example.org or to 14 Station Road, DE22 1AB.
Carer: His UPN is B801200005001 and his birthday is 3rd March 2011.
Carer: Kayden from his class came along, and Mrs Whitfield at Oakfield Academy was pleased.
Interviewer: Thank you."""

EXPECTED = """SYNTHETIC: invented for the cm_research tests, every name and number is made up.
Interviewer: How have the sessions been going for [Mentee-3]?
Carer: [Mentee-3]'s confidence has really grown. At [School] they call him [Mentee-3], or [Mentee-3].
Interviewer: And you are?
Carer: [Carer], his foster carer. [Carer] is fine. I hope that is OK.
Carer: [Carer] is what the school calls me. [Social worker] asked [Carer] to ring him on [Phone].
Carer: You can write to [Email] or to [Address], [Postcode].
Carer: His UPN is [UPN] and his birthday is [Date of birth].
Carer: Kayden from his class came along, and Mrs Whitfield at [School] was pleased.
Interviewer: Thank you."""


@pytest.fixture(scope="module")
def result():
    return deidentify_text(TRANSCRIPT, REGISTER)


def test_the_transcript_is_fully_de_identified(result):
    assert result.text == EXPECTED
    for leaked in ("Jamie", "Okoro", "Jay", "Whitaker", "Daniel", "Reeve", "Oakfield", "07700", "example.org",
                   "Station Road", "DE22", "B801200005001", "2011"):
        assert leaked not in result.text


def test_each_hard_case_is_replaced_as_listed(result):
    got = set(result.replacements[["line", "form", "original", "placeholder", "possessive"]].itertuples(index=False,
                                                                                                        name=None))
    expected = {
        (2, "given_name", "Jamie", "[Mentee-3]", False),  # first name at the end of a question
        (3, "given_name", "Jamie", "[Mentee-3]", True),  # possessive "Jamie's": the 's is kept
        (3, "variant", "Oakfield", "[School]", False),  # a school's short name
        (3, "surname", "Okoro", "[Mentee-3]", False),  # a surname alone
        (3, "variant", "Jay", "[Mentee-3]", False),  # a nickname from the register
        (5, "full_name", "Hope Whitaker", "[Carer]", False),  # full name at the start of a turn
        (5, "given_name", "Hope", "[Carer]", False),  # a name that is also a word, starting a sentence
        (6, "title_surname", "Miss Whitaker", "[Carer]", False),  # title + surname, starting a sentence
        (6, "full_name", "Daniel Reeve", "[Social worker]", False),
        (6, "given_name", "Hope", "[Carer]", False),  # the word-name inside a sentence: clearly the name
        (6, "pattern", "07700 900123", "[Phone]", False),
        (7, "pattern", "hope.whitaker@example.org", "[Email]", False),  # the email, not "hope" inside it
        (7, "pattern", "14 Station Road", "[Address]", False),
        (7, "pattern", "DE22 1AB", "[Postcode]", False),
        (8, "pattern", "B801200005001", "[UPN]", False),
        (8, "pattern", "3rd March 2011", "[Date of birth]", False),
        (9, "full_name", "Oakfield Academy", "[School]", False),
    }
    assert got == expected
    assert result.replacements.set_index("original").loc["DE22 1AB", "kind"] == "postcode"


def test_ambiguous_and_unregistered_words_are_flagged_for_review(result):
    flags = set(result.flags[["line", "word", "reason", "replaced"]].itertuples(index=False, name=None))
    assert flags == {
        (5, "Hope", "name_or_word_at_sentence_start", True),  # "Hope is fine." -- the name, or the word?
        (5, "hope", "kept_as_word", False),  # "I hope that is OK." -- kept as the word, but shown to the analyst
        (9, "Kayden", "sentence_start_not_in_register", False),  # an unregistered child's name
        (9, "Whitfield", "capitalised_not_in_register", False),  # an unregistered teacher's name
    }
    context = result.flags.set_index("word").loc["Kayden", "context"]
    assert context.startswith("Carer: Kayden from his class")


def test_structure_is_kept_for_the_thematic_analysis(result):
    before, after = TRANSCRIPT.splitlines(), result.text.splitlines()
    assert len(before) == len(after)
    assert [line.split(":")[0] for line in before] == [line.split(":")[0] for line in after]  # speaker labels


def test_summary_counts_by_kind_and_holds_no_names(result):
    summary = result.summary().set_index("kind")["n_replaced"].to_dict()
    assert summary == {"mentee": 4, "school": 2, "carer": 4, "social_worker": 1, "phone": 1, "email": 1,
                       "address": 1, "postcode": 1, "upn": 1, "date_of_birth": 1}


def test_files_get_consistent_placeholders_and_the_mapping_goes_elsewhere(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "carer_01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (raw / "mentee_01.txt").write_text("Mentee: Jay here. Hope picked me up from Oakfield.\n", encoding="utf-8")
    register_csv = tmp_path / "register.csv"
    REGISTER.to_csv(register_csv, index=False)
    out = tmp_path / "deidentified"
    restricted = tmp_path / "restricted"
    written = deidentify_files(sorted(raw.glob("*.txt")), register_csv, out, restricted / "mapping.csv")

    assert (out / "mentee_01.txt").read_text() == "Mentee: [Mentee-3] here. [Carer] picked me up from [School].\n"
    assert (out / "carer_01.txt").read_text() == EXPECTED
    mapping = pd.read_csv(restricted / "mapping.csv")
    assert set(mapping["file"]) == {"carer_01.txt", "mentee_01.txt"}
    assert (mapping.loc[mapping["original"] == "Jay", "placeholder"] == "[Mentee-3]").all()
    review = pd.read_csv(restricted / "mapping_review.csv")
    assert ("mentee_01.txt", "Hope", "name_or_word_at_sentence_start") in set(
        review[["file", "word", "reason"]].itertuples(index=False, name=None))
    assert sorted(p.name for p in out.iterdir()) == ["carer_01.txt", "mentee_01.txt"]  # no mapping beside them
    shown = written.summary.to_csv() + written.flag_counts.to_csv()
    assert "Jamie" not in shown and "Kayden" not in shown  # the summaries are safe to report

    with pytest.raises(MappingLocationError, match="restricted folder outside it"):
        deidentify_files(sorted(raw.glob("*.txt")), register_csv, out, out / "mapping.csv")


def test_same_form_for_two_people_becomes_a_neutral_placeholder():
    register = pd.DataFrame([("Jamie Okoro", "mentee"), ("Jamie Reeve", "carer")], columns=["name", "role"])
    result = deidentify_text("Then Jamie Reeve met Jamie.", register)
    assert result.text == "Then [Carer] met [Name]."
    assert result.flags["reason"].tolist() == ["same_form_two_entries"]


def test_lower_case_names_that_are_not_words_are_still_replaced():
    result = deidentify_text("we saw jamie and JAMIE OKORO", REGISTER)
    assert result.text == "we saw [Mentee-3] and [Mentee-3]"


def test_explicit_placeholders_and_register_errors_name_row_and_column(tmp_path):
    register = make_register(pd.DataFrame({"name": ["Ann Lee"], "role": ["carer"], "placeholder": ["[Carer-2]"]}))
    assert deidentify_text("Ann Lee came.", register).text == "[Carer-2] came."
    bad = tmp_path / "register.csv"
    bad.write_text("name,role\nAnn Lee,carer\nBo Ray,aunt\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"register.csv, row 3, column `role`: role must be one of"):
        load_register(bad)
    with pytest.raises(RegisterError, match="needs columns name, role"):
        make_register(pd.DataFrame({"who": ["x"]}))


@pytest.mark.parametrize("text, start, expected", [
    ("Hope came.", 0, True),
    ("Yes. Hope came.", 5, True),
    ("Carer: Hope came.", 7, True),
    ("We asked Hope.", 9, False),
    ("Mrs. Hope came.", 5, False),  # a title's full stop does not end a sentence
    ('He said "Hope', 9, False),
    ('Yes. "Hope', 6, True),
])
def test_sentence_starts(text, start, expected):
    assert is_sentence_start(text, start) is expected


@pytest.mark.parametrize("text, kind, found", [
    ("call 07700 900123 now", "phone", "07700 900123"),
    ("call +44 7700 900123", "phone", "+44 7700 900123"),
    ("on +44 (0)20 7946 0958.", "phone", "+44 (0)20 7946 0958"),
    ("ring (01632) 960001", "phone", "(01632) 960001"),
    ("ring 020-7946-0958", "phone", "020-7946-0958"),
    ("p = 0.0123456789", "phone", None),  # a decimal is not a phone number
    ("in 2023 2024 and 2025", "phone", None),
    ("footer hash (0591277859db871e)", "phone", None),  # a SHA-256 prefix that starts with 0 and ten digits
    ("id 12345678901", "phone", None),
    ("at SW1A 1AA", "postcode", "SW1A 1AA"),
    ("at m1 1ae", "postcode", "m1 1ae"),
    ("at W1A0AX", "postcode", "W1A0AX"),
    ("at Q1 1AA", "postcode", None),  # Q never starts a postcode
    ("at B33 8CI", "postcode", None),  # C and I never end one
    ("in KS3 and Year 9", "postcode", None),
    ("mail a.b-c+d@mail.example.co.uk.", "email", "a.b-c+d@mail.example.co.uk"),
    ("DOB: 03/04/2011", "date_of_birth", "03/04/2011"),
    ("she was born on the 3rd of March 2011", "date_of_birth", "3rd of March 2011"),
    ("birthday is March 3, 2011", "date_of_birth", "March 3, 2011"),
    ("we met on 03/04/2023", "date_of_birth", None),  # a date without a birth word is left alone
    ("lives at Flat 2, 14 Station Road", "address", "Flat 2, 14 Station Road"),
    ("upn B801200005001 here", "upn", "B801200005001"),
])
def test_patterns(text, kind, found):
    spans = [s.text for s in find_patterns(text) if s.kind == kind]
    assert spans == ([found] if found else [])


def test_register_forms_are_longest_first_so_full_names_win():
    engine = Deidentifier(REGISTER)
    result = engine.deidentify("Daniel Reeve and Reeve and Mr Reeve")
    assert result.replacements["form"].tolist() == ["full_name", "surname", "title_surname"]
    assert not re.search(r"Reeve|Daniel", result.text)


def test_names_in_other_alphabets_are_replaced_and_flagged():
    register = pd.DataFrame({"name": ["Renée Dubois"], "role": ["carer"]})
    result = deidentify_text("Renée's mum came with Siân.", register)
    assert result.text == "[Carer]'s mum came with Siân."
    assert result.flags[["word", "reason"]].values.tolist() == [["Siân", "capitalised_not_in_register"]]
