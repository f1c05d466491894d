"""UPN check letter against published examples, hand calculations and an independent implementation."""

import random

import pytest

from cm_research.privacy.upn import CHECK_LETTERS, check_letter, is_valid_upn, mask_upn, upn_problem

# The letter table of the DfE guide: A=0 ... H=7, (no I) J=8 ... N=12, (no O) P=13 Q=14 R=15, (no S) T=16 ... Z=22.
DFE_TABLE = dict(zip("ABCDEFGH", range(8))) | dict(zip("JKLMN", range(8, 13))) | dict(zip("PQR", range(13, 16))) \
    | dict(zip("TUVWXYZ", range(16, 23)))


def test_letter_table_is_the_dfe_table():
    assert {letter: CHECK_LETTERS.index(letter) for letter in CHECK_LETTERS} == DFE_TABLE


def test_permanent_upn_worked_by_hand():
    # B801200005001 (the example in python-stdnum's documentation of stdnum.gb.upn):
    # characters 2-13 are 8 0 1 2 0 0 0 0 5 0 0 1, weighted 2..13:
    total = 8 * 2 + 0 * 3 + 1 * 4 + 2 * 5 + 0 * 6 + 0 * 7 + 0 * 8 + 0 * 9 + 5 * 10 + 0 * 11 + 0 * 12 + 1 * 13
    assert total == 93 and total % 23 == 1  # 1 -> B
    assert check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    assert upn_problem("A801200005001")[0] == "upn_check_letter"  # the same documentation's invalid example
    assert upn_problem("X80120000A001")[0] == "upn_format"  # ... and its "middle part must be numeric" example


def test_temporary_upn_worked_by_hand():
    # A temporary UPN ends in a letter, valued from the same table: 2 0 7 0 0 0 0 1 6 0 4 then A (=0).
    total = 2 * 2 + 7 * 4 + 1 * 9 + 6 * 10 + 4 * 12 + 0 * 13
    assert total == 149 and total % 23 == 11  # 11 -> M
    assert check_letter("20700001604A") == "M" and is_valid_upn("M20700001604A")
    # ... and ending in Z (=22): 149 + 22 * 13 = 435 = 18 * 23 + 21 -> Y
    assert check_letter("20700001604Z") == "Y" and is_valid_upn("Y20700001604Z")


def test_school_software_help_page_example_has_an_arithmetic_slip():
    # A census-error help page (code 1510) works "207000016049": (2x2)+(4x7)+(9x1)+(10x6)+(12x4)+(13x9), which it
    # adds to 267 and turns into Q. The products add to 266, and 266 mod 23 = 13 = P in the page's own table.
    assert 2 * 2 + 4 * 7 + 9 * 1 + 10 * 6 + 12 * 4 + 13 * 9 == 266 and 266 % 23 == 13
    assert check_letter("207000016049") == "P"
    assert is_valid_upn("P207000016049") and not is_valid_upn("Q207000016049")


def test_agrees_with_python_stdnum_on_random_numbers():
    upn = pytest.importorskip("stdnum.gb.upn", reason="python-stdnum is the independent reference implementation")
    rng = random.Random(6)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(11))
        body += rng.choice("0123456789" + CHECK_LETTERS)
        assert check_letter(body) == upn.calc_check_digit(body), body


def test_every_single_character_error_changes_the_check_letter():
    # 23 is prime and the weights 2..13 are below it, so weight x (difference of 1..9 or of letter values 1..22)
    # is never a multiple of 23: any one mistyped character is caught.
    rng = random.Random(7)
    for _ in range(200):
        body = "".join(rng.choice("0123456789") for _ in range(12))
        position = rng.randrange(12)
        other = rng.choice([d for d in "0123456789" if d != body[position]])
        typo = body[:position] + other + body[position + 1:]
        assert check_letter(body) != check_letter(typo)


@pytest.mark.parametrize("value, rule", [
    ("B80120000500", "upn_length"),
    ("B8012000050011", "upn_length"),
    ("I801200005001", "upn_format"),  # I, O and S are never check letters
    ("B80120000500S", "upn_format"),  # ... nor a temporary UPN's last character
    ("C801200005001", "upn_check_letter"),
])
def test_invalid_upns_say_why(value, rule):
    assert upn_problem(value)[0] == rule


def test_spaces_hyphens_and_lower_case_are_forgiven_and_masking_hides_the_digits():
    assert is_valid_upn(" b801-2000-05001 ")
    assert mask_upn("B801200005001") == "B***********1"
