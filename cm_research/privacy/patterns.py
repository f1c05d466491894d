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
- nhs_number: ten digits (grouped 3-3-4 by spaces or hyphens, or not at all) whose tenth is the Modulus 11 check
  digit of the first nine (NHS Digital, *NHS Number* standard: weights 10 to 2, check = 11 - sum mod 11, 11 -> 0,
  10 never issued); ``943 476 5919`` is the standard's own example.
- titled_name: a title and a capitalised name (``Mr Okafor``, ``Mrs O'Neill``, ``Dr. Shah``): a teacher, social
  worker or carer named in a quote.
- school: one to four capitalised words before School, Academy, College, Primary, Infants or Juniors
  (``Hillside Academy``, ``St Mary's Primary School``), other than the care system's own Virtual Schools
  (``Easton Virtual School`` is a local authority's service, named like the site).
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
_DATE = (rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
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


#: not part of a longer number or a decimal ("1.9434765919"), but may end a sentence
NHS_NUMBER = re.compile(r"(?<![\w.])(?<!\d[ -])\d{3}([ -]?)\d{3}\1\d{4}(?!\w)(?!\.\d)(?![ -]\d)")
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame)\.?\s+(?:[A-Z][a-z]*['’-])?[A-Z][a-z]+"
                         r"(?:-[A-Z][a-z]+)?\b")
SCHOOL = re.compile(r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][A-Za-z'’-]+\s+){1,4}"
                    r"(?:School|Academy|College|Primary|Infants|Juniors)\b")
#: capitalised phrases ending like a school's name that name no school
_NOT_A_SCHOOL = re.compile(r"^(?:(?:The|A|An|Our|My|Your|Their|His|Her|This|That|Each|Every|Any)\s+)?"
                           r"(?:Virtual|Virtual School|Secondary|Special|Free|Grammar|Primary|High|Infant|Junior|"
                           r"Sixth Form|Further Education|Pupil Referral)?\s*"
                           r"(?:School|Academy|College|Primary|Infants|Juniors)$")


def nhs_check_digit(nine: str) -> int | None:
    """The Modulus 11 check digit of nine digits (weights 10 down to 2), or None where it would be 10 (such
    numbers are never issued)."""
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1))) % 11
    check = 11 - remainder
    return 0 if check == 11 else None if check == 10 else check


def find_nhs_numbers(text: str) -> list[Span]:
    """NHS numbers in ``text``: ten digits whose last is the Modulus 11 check digit of the others."""
    spans = []
    for m in NHS_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(set(digits)) > 1 and nhs_check_digit(digits[:9]) == int(digits[9]):
            spans.append(Span("nhs_number", m.start(), m.end(), m.group()))
    return spans


def find_titled_names(text: str) -> list[Span]:
    """A title followed by a capitalised name ("Mr Okafor", "Dr. Shah")."""
    return [Span("titled_name", m.start(), m.end(), m.group()) for m in TITLED_NAME.finditer(text)]


def find_schools(text: str) -> list[Span]:
    """Names of schools ("Hillside Academy", "St Mary's Primary School"), not generic phrases ("Virtual School")."""
    spans = []
    for m in SCHOOL.finditer(text):
        if not _NOT_A_SCHOOL.match(m.group()) and not m.group().endswith("Virtual School"):
            spans.append(Span("school", m.start(), m.end(), m.group()))
    return spans


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
    "nhs_number": find_nhs_numbers,
    "titled_name": find_titled_names,
    "school": find_schools,
}


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: the earliest first, the longest of those that start together."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and span.start < chosen[-1].end:
            continue
        chosen.append(span)
    return chosen


#: found by the pre-publication scan only: de-identification handles names and schools through the register
#: and flags capitalised words it cannot resolve, so replacing these too would change transcripts under analysis
SCAN_ONLY = ("titled_name", "school")
DEFAULT_KINDS = tuple(k for k in FINDERS if k not in SCAN_ONLY)


def find_patterns(text: str, kinds: tuple[str, ...] | None = None) -> list[Span]:
    """Every pattern of ``kinds`` (default: :data:`DEFAULT_KINDS`, all of ``FINDERS`` but the scan-only ones) in
    ``text``, overlaps resolved."""
    spans = [s for kind in (kinds or DEFAULT_KINDS) for s in FINDERS[kind](text)]
    return resolve_overlaps(spans)
