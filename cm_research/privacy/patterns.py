"""Patterns of personal data in free text: emails, UK phone numbers, postcodes, UPNs, dates of birth, addresses.

Used both to de-identify transcripts and to scan reports before publication. Each finder returns spans
(kind, start, end, text); ``find_patterns`` merges them, keeping the earliest and then the longest span
where two overlap.

- email: local part, ``@``, a domain with at least one dot; also spelt out ("jamie dot price at gmail dot com",
  "jamie(at)school(dot)org") when it ends in a common top-level domain.
- phone: a UK number written with ``0`` or ``+44`` and 10 or 11 digits in all (9 or 10 after ``+44``), spaces,
  hyphens and brackets allowed between digits (Ofcom's national numbering plan: 01, 02, 03, 07, 08 ranges).
- postcode: the full UK postcode format, outward code (area letters, district digit, optional letter or digit)
  then inward code (a digit and two letters, never C, I, K, M, O or V), with or without the space.
- upn: a Unique Pupil Number shape (a letter, 11 digits, a digit or letter), whatever its check letter, in any
  case and with the characters grouped by spaces or hyphens.
- date_of_birth: a date (``03/04/2011``, ``3.4.11``, ``3rd April 2011``, ``April 3, 2011``, ``3 April``) within
  40 characters after "born", "birthday", "DOB", "D.O.B." or "date of birth" in the same sentence.
- address: a house number and one to three capitalised words ending in a street word (``14 Station Road``),
  or capitalised words ending in a street word without a number (``Station Road``), or a house number and one or
  two words ending in a street word in any case (``14 station road``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cm_research.privacy.upn import CHECK_LETTERS


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_PHONE_CANDIDATE = re.compile(r"(?<![\w+.])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,10}(?![\w])")
POSTCODE = re.compile(
    # not glued to a word by "_": machine ids such as a table's "T_e96ee" are not postcodes
    r"(?<![A-Za-z0-9_])([A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKPSTUW0-9]?)[ \t]?([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
UPN_SHAPE = re.compile(rf"(?<![A-Za-z0-9])[{CHECK_LETTERS}]\d{{11}}[\d{CHECK_LETTERS}](?![A-Za-z0-9])")
#: a UPN as people also type it: any case, its 13 characters in groups split by single spaces or hyphens
#: ("a123 4567 8901 2", "A-123-4567-89012"); the letters must still be check letters
UPN_LOOSE = re.compile(rf"(?<![A-Za-z0-9])[{CHECK_LETTERS}](?:[ -]?\d){{11}}[ -]?[\d{CHECK_LETTERS}](?![A-Za-z0-9])",
                       re.IGNORECASE)
#: an email address spelt out to dodge filters: "jamie dot price at gmail dot com", "jamie(at)gmail(dot)com"
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+)"
EMAIL_SPELT = re.compile(rf"(?<![\w.])[A-Za-z0-9][\w+-]*(?:(?:{_DOT}|\.)[\w+-]+)*{_AT}[A-Za-z0-9-]+"
                         rf"(?:(?:{_DOT}|\.)[A-Za-z0-9-]+)*(?:{_DOT}|\.)(?:com|org|net|uk|co|gov|ac|sch|nhs|edu|"
                         rf"io|me|info)\b", re.IGNORECASE)

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DATE = (rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?"
         rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)")
DATE_OF_BIRTH = re.compile(
    rf"\b(?:born|birthday|birth\s*date|date\s+of\s+birth|d\.?\s?o\.?\s?b\.?)\b[^.!?\n]{{0,40}}?(?P<date>{_DATE})\b",
    re.IGNORECASE,
)
_STREET = ("Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Crescent|Court|Place|Gardens|Terrace|Grove|Walk|"
           "Row|Square|Mews|Way|Rise|View|Parade|Hill|Green")
ADDRESS = re.compile(
    rf"(?:\b(?:Flat|Apartment)\s+\d+[A-Za-z]?,?\s+)?"
    rf"(?:\b\d{{1,4}}[A-Za-z]?,?\s+)?(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET})\b\.?"
)
#: a house number and one or two words ending in a street word, in any case ("14 station road"); the number
#: is required here, since "the road" or "down the lane" alone are not addresses
#: (only the street words that are seldom anything else: "1 outcomes row" or "2 more ways" are not addresses)
_STREET_UNAMBIGUOUS = "road|rd|street|lane|avenue|ave|crescent|terrace|gardens|mews|grove|close|drive"
ADDRESS_NUMBERED = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Za-z][a-z'’]+\s+){{1,2}}(?:{_STREET_UNAMBIGUOUS})\b\.?", re.IGNORECASE)
_NOT_A_STREET = re.compile(r"^\d+\s+(?:the|a|an|of|in|on|at|to|or|and|more|other|new|old|long|short|big|small)\b",
                           re.IGNORECASE)


def find_emails(text: str) -> list[Span]:
    """Email addresses in ``text``, also spelt out ("jo at example dot com")."""
    spans = [Span("email", m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]
    spans += [Span("email", m.start(), m.end(), m.group()) for m in EMAIL_SPELT.finditer(text)
              if not EMAIL.fullmatch(m.group())]
    return spans


def find_phones(text: str) -> list[Span]:
    """UK telephone numbers in ``text`` (landline and mobile, with or without +44 and spaces)."""
    spans = []
    for m in _PHONE_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        national = "0" + digits[2:].removeprefix("0") if digits.startswith("44") and m.group().startswith("+") else digits
        if 10 <= len(national) <= 11 and national[1] in "123578":
            spans.append(Span("phone", m.start(), m.end(), m.group()))
    return spans


def find_postcodes(text: str) -> list[Span]:
    """UK postcodes in ``text``."""
    return [Span("postcode", m.start(), m.end(), m.group()) for m in POSTCODE.finditer(text)]


def find_upns(text: str) -> list[Span]:
    """Unique Pupil Numbers in ``text``, written loosely (a check letter, eleven digits and a last digit or letter;
    spaces and hyphens allowed): the check letter is not verified here."""
    return [Span("upn", m.start(), m.end(), m.group()) for m in UPN_LOOSE.finditer(text)]


def find_dates_of_birth(text: str) -> list[Span]:
    """Dates given as someone's date of birth in ``text`` (a date after "born", "DOB" and the like)."""
    return [Span("date_of_birth", m.start("date"), m.end("date"), m.group("date")) for m in DATE_OF_BIRTH.finditer(text)]


def find_addresses(text: str) -> list[Span]:
    """Street addresses in ``text``: a street name with its ending (Road, Close…), with or without a house or flat
    number."""
    spans = []
    for m in ADDRESS.finditer(text):
        words = m.group().split()
        if len(words) == 2 and not words[0][0].isdigit() and words[1].rstrip(".") in ("St", "Green", "Hill", "Way", "View"):
            continue  # "St" alone is also "Saint"; "Green"/"Hill"/"Way"/"View" alone after one word are too often not addresses
        spans.append(Span("address", m.start(), m.start() + len(m.group().rstrip(".")), m.group().rstrip(".")))
    for m in ADDRESS_NUMBERED.finditer(text):
        words = m.group().split()
        if _NOT_A_STREET.match(m.group()) or (len(words) == 2 and words[1].rstrip(".").lower() in
                                               ("st", "green", "hill", "way", "view", "row", "walk", "rise", "place",
                                                "square", "court", "close", "drive", "parade")):
            continue  # "3 walk", "2 close", "5 square"...: a number and a word, not an address
        spans.append(Span("address", m.start(), m.start() + len(m.group().rstrip(".")), m.group().rstrip(".")))
    return spans


FINDERS = {
    "email": find_emails,
    "upn": find_upns,
    "postcode": find_postcodes,
    "phone": find_phones,
    "date_of_birth": find_dates_of_birth,
    "address": find_addresses,
}


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: the earliest first, the longest of those that start together."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and span.start < chosen[-1].end:
            continue
        chosen.append(span)
    return chosen


def find_patterns(text: str, kinds: tuple[str, ...] | None = None) -> list[Span]:
    """Every pattern of ``kinds`` (default: all of ``FINDERS``) in ``text``, overlaps resolved."""
    spans = [s for kind in (kinds or tuple(FINDERS)) for s in FINDERS[kind](text)]
    return resolve_overlaps(spans)
