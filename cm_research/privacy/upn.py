"""Unique Pupil Numbers (UPN): the 13-character format and its check letter.

A UPN is a check letter followed by 12 characters: a 3-digit local authority number, a 4-digit establishment
number, the last 2 digits of the year of allocation, and a 3-digit serial (a permanent UPN) or a 2-digit serial
and a letter (a temporary UPN).

Check letter (DfE, *Unique Pupil Numbers (UPNs): a guide for schools and local authorities*; the UK Government
Data Standards Catalogue, "Unique Pupil Number" v2.0): multiply the characters in positions 2 to 13 by their
position (2 to 13), a temporary UPN's final letter counting as its value in the table below, add the products,
and take the remainder modulo 23. The remainder is the check letter::

    0 A  1 B  2 C  3 D  4 E  5 F  6 G  7 H  8 J  9 K  10 L  11 M
    12 N  13 P  14 Q  15 R  16 T  17 U  18 V  19 W  20 X  21 Y  22 Z      (I, O and S are never used)

The local authority number is not checked against the list of authorities, which changes over time.
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: the alphabet without I, O and S
UPN_FORMAT = re.compile(rf"[{CHECK_LETTERS}]\d{{11}}[\d{CHECK_LETTERS}]")


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (11 digits then a digit or, for a temporary UPN, a letter)."""
    if len(body) != 12 or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in CHECK_LETTERS):
        raise ValueError(f"a UPN body is 11 digits then a digit or one of {CHECK_LETTERS}; got {body!r}")
    values = [int(c) for c in body[:11]]
    last = body[11]
    values.append(int(last) if last.isdigit() else CHECK_LETTERS.index(last))
    total = sum(weight * value for weight, value in zip(range(2, 14), values))
    return CHECK_LETTERS[total % 23]


def normalise_upn(value: object) -> str:
    """Upper case, with spaces and hyphens removed (as UPNs are often typed in groups)."""
    return re.sub(r"[\s-]", "", str(value)).upper()


def upn_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not a valid UPN, as (rule, message), or None when it is valid."""
    upn = normalise_upn(value)
    if len(upn) != 13:
        return "upn_length", f"a UPN has 13 characters; this one has {len(upn)}"
    if not UPN_FORMAT.fullmatch(upn):
        return ("upn_format", "a UPN is a check letter (not I, O or S), 11 digits, then a digit or a letter "
                              "(for a temporary UPN)")
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        return "upn_check_letter", f"the check letter is wrong: characters 2 to 13 give {expected}"
    return None


def is_valid_upn(value: object) -> bool:
    """True when ``value`` has the UPN format and the right check letter."""
    return upn_problem(value) is None


def mask_upn(value: object) -> str:
    """A UPN with all but its first and last characters hidden, fit to show in an error message."""
    text = normalise_upn(value)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]
