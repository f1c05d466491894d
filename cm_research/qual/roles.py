"""Participant roles in a mentoring evaluation, the spellings accepted for each, and how reports name them."""

from __future__ import annotations

import re

#: Canonical role -> accepted spellings (compared lower-case; runs of spaces, hyphens and underscores count as one space).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "mentee": ("mentee", "young person", "child", "pupil", "student", "care leaver", "yp"),
    "mentor": ("mentor", "creative mentor", "learning mentor", "volunteer mentor", "arts mentor"),
    "carer": ("carer", "foster carer", "kinship carer", "residential carer", "residential worker", "key worker"),
    "social_worker": ("social worker", "sw", "personal adviser", "leaving care worker"),
    "teacher": ("teacher", "designated teacher", "class teacher", "head of year", "form tutor", "senco"),
    "vsh": ("vsh", "virtual school head", "virtual school headteacher", "head of virtual school",
            "virtual school"),
}
ROLES: tuple[str, ...] = tuple(ROLE_ALIASES)

#: How a role reads in prose, singular and plural.
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "mentee": ("mentee", "mentees"),
    "mentor": ("mentor", "mentors"),
    "carer": ("carer", "carers"),
    "social_worker": ("social worker", "social workers"),
    "teacher": ("teacher", "teachers"),
    "vsh": ("VSH", "VSHs"),
}

_LOOKUP = {alias: role for role, aliases in ROLE_ALIASES.items() for alias in aliases}


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def normalise_role(value: str) -> str | None:
    """The canonical role for a spelling ("Foster carer" -> "carer", "Virtual School Head" -> "vsh"), else None."""
    return _LOOKUP.get(_key(value))


def role_name(role: str, plural: bool = False) -> str:
    """How a role reads in a sentence: "social worker", "VSH", or the plural."""
    singular, many = ROLE_NAMES.get(role, (role.replace("_", " "), role.replace("_", " ") + "s"))
    return many if plural else singular


def accepted_spellings() -> str:
    """All accepted role spellings, for error messages."""
    return "; ".join(f"{role_name(r)}: {', '.join(a)}" for r, a in ROLE_ALIASES.items())
