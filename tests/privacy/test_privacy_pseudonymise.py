"""Pseudonymous ids: the same child gets the same id in every file, and only with the same key."""

import base64
import hashlib
import hmac

import pandas as pd
import pytest

from cm_research.privacy.errors import InvalidUPNError, MissingKeyError
from cm_research.privacy.keys import KEY_ENV, load_key
from cm_research.privacy.pseudonymise import is_upn_column, pseudonym, pseudonymise, pseudonymise_file

# Synthetic UPNs with correct check letters (worked in test_privacy_upn.py).
UPN_A, UPN_B, UPN_C = "B801200005001", "P207000016049", "M20700001604A"


def write_csv(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_formula_matches_an_independent_computation(key_file):
    # HMAC-SHA256 of the normalised value, read 5 bits at a time: RFC 4648 base32 reads the same bits, so
    # translating its alphabet to Crockford's gives the expected characters.
    key = load_key(key_file)
    digest = hmac.new(key.secret, b"jamie price", hashlib.sha256).digest()
    rfc = base64.b32encode(digest).decode()[:10]
    expected = "P-" + rfc.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ"))
    assert pseudonym("  Jamie   PRICE ", key) == expected


def test_the_same_upn_in_two_files_gets_the_same_pseudonym(tmp_path, key_file):
    year1 = write_csv(tmp_path / "year1.csv", ["upn,attendance", f"{UPN_A},91", f"{UPN_B},84"])
    # next year's file: other column order, a UPN typed in lower case with spaces
    year2 = write_csv(tmp_path / "year2.csv", ["sdq,UPN", f"12,{UPN_C}", "15, b801 2000 05001 "])
    out1 = pd.read_csv(pseudonymise_file(year1, "upn", tmp_path / "out" / "year1.csv", key_file))
    out2 = pd.read_csv(pseudonymise_file(year2, "UPN", tmp_path / "out" / "year2.csv", key_file))
    assert out1.loc[0, "upn"] == out2.loc[1, "UPN"]
    assert out1.loc[0, "upn"] != out1.loc[1, "upn"] != out2.loc[0, "UPN"]
    assert out1["upn"].str.fullmatch(r"P-[0-9A-HJKMNP-TV-Z]{10}").all()
    written = (tmp_path / "out" / "year1.csv").read_text() + (tmp_path / "out" / "year2.csv").read_text()
    assert UPN_A not in written and UPN_B not in written and UPN_C not in written
    assert out1["attendance"].tolist() == [91, 84]  # other columns untouched


def test_a_different_key_gives_a_different_pseudonym(tmp_path):
    from cm_research.privacy.keys import generate_key_file

    frame = pd.DataFrame({"upn": [UPN_A]})
    first = pseudonymise(frame, "upn", generate_key_file(tmp_path / "one.key"))
    second = pseudonymise(frame, "upn", generate_key_file(tmp_path / "two.key"))
    assert first.loc[0, "upn"] != second.loc[0, "upn"]
    assert first.attrs["pseudonymised"]["key_fingerprint"] != second.attrs["pseudonymised"]["key_fingerprint"]


def test_without_a_key_nothing_is_pseudonymised_and_the_message_says_how_to_make_one(tmp_path):
    source = write_csv(tmp_path / "pupils.csv", ["upn", UPN_A])
    with pytest.raises(MissingKeyError, match="cm-research keygen"):
        pseudonymise_file(source, "upn", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_the_key_comes_from_the_environment_when_not_given(monkeypatch, key_file):
    frame = pd.DataFrame({"local_id": ["NS-001"]})
    monkeypatch.setenv(KEY_ENV, load_key(key_file).secret.hex())
    assert pseudonymise(frame, "local_id").loc[0, "local_id"] == pseudonymise(frame, "local_id", key_file).loc[0, "local_id"]


def test_invalid_upns_are_reported_with_file_row_and_column(tmp_path, key_file):
    source = write_csv(tmp_path / "pupils.csv", [
        "name,upn", f"A,{UPN_A}", "B,C801200005001", f"C,{UPN_B}", "D,B80120000500", "E,",
    ])
    with pytest.raises(InvalidUPNError) as info:
        pseudonymise_file(source, ["upn", "name"], tmp_path / "out.csv", key_file)
    problems = info.value.problems
    assert problems[["file", "row", "column", "rule"]].values.tolist() == [
        ["pupils.csv", 3, "upn", "upn_check_letter"],  # row 3 as Excel shows it (the header is row 1)
        ["pupils.csv", 5, "upn", "upn_length"],
    ]
    message = str(info.value)
    assert "pupils.csv, row 3, column `upn`: the check letter is wrong" in message
    assert "C801200005001" not in message and problems.loc[0, "value"] == "C***********1"
    assert not (tmp_path / "out.csv").exists()  # nothing half-done


def test_rows_of_a_loaded_table_are_its_excel_rows(key_file):
    frame = pd.DataFrame({"upn": ["bad"]}, index=pd.Index([14], name="row"))
    with pytest.raises(InvalidUPNError, match="row 14, column `upn`"):
        pseudonymise(frame, "upn", key_file, file="outcomes.xlsx")


def test_empty_cells_stay_empty_and_the_record_holds_no_key(key_file):
    frame = pd.DataFrame({"name": ["Jamie Price", None, "jamie price"]})
    out = pseudonymise(frame, "name", key_file)
    assert out.loc[0, "name"] == out.loc[2, "name"] and pd.isna(out.loc[1, "name"])
    record = out.attrs["pseudonymised"]
    assert record["columns"] == ["name"] and record["method"] == "HMAC-SHA256"
    assert load_key(key_file).secret.hex() not in str(record)


def test_the_key_itself_is_refused_as_an_argument(key_file):
    with pytest.raises(TypeError, match="never the key itself"):
        pseudonymise(pd.DataFrame({"id": ["x"]}), "id", load_key(key_file).secret.hex())


@pytest.mark.parametrize("name, expected", [
    ("upn", True), ("UPN", True), ("former_upn", True), ("Unique Pupil Number", True), ("pupil upn", True),
    ("participant_id", False), ("groupname", False),
])
def test_which_columns_count_as_upns(name, expected):
    assert is_upn_column(name) is expected
