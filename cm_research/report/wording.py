"""Small pieces of English that report sentences share: counts as whole numbers, lists joined with "and"."""

from __future__ import annotations

from collections.abc import Iterable


def whole(count: object) -> str:
    """A count as a reader writes it: 18.0 -> "18"; a suppressed "c" or other text stays as it is."""
    if isinstance(count, float) and count.is_integer():
        return str(int(count))
    if hasattr(count, "item"):  # numpy scalars
        return whole(count.item())
    return str(count)


def and_list(items: Iterable[object]) -> str:
    """["2022/23"] -> "2022/23"; ["a", "b", "c"] -> "a, b and c" (no serial comma, as UK style guides prefer)."""
    words = [str(i) for i in items if str(i).strip()]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


#: what :func:`format_p` gives back for a missing p-value when told to keep it as it is
KEEP = object()


def format_number(x: float, digits: int = 1, *, thousands: bool = False, trim_zero: bool = False,
                  unicode_minus: bool = True) -> str:
    """A number for a sentence: ``digits`` decimals; ``thousands`` adds separators (1,234.5); ``trim_zero`` drops a
    trailing ``.0`` (2.0 -> "2"); ``unicode_minus`` writes a negative number with the minus sign (U+2212) that
    typesetting uses instead of a hyphen.

    >>> format_number(-2.0), format_number(2.0, trim_zero=True), format_number(1234.0, thousands=True, trim_zero=True)
    ('−2.0', '2', '1,234')
    """
    text = f"{x:,.{digits}f}" if thousands else f"{x:.{digits}f}"
    if trim_zero:
        text = text.removesuffix(".0")
    return text.replace("-", "−") if unicode_minus and text.startswith("-") else text


def format_p(p: object, *, prefix: bool = False, missing: object = "") -> object:
    """A p-value as reports print it: "< 0.001" below a thousandth, otherwise three decimals (never "0.000").

    ``prefix`` writes it for a sentence ("p < 0.001", "p = 0.012"). A missing p-value (None, NaN) gives
    ``missing``; with ``missing=KEEP`` anything that is not a number (a missing value, a suppressed ``c``) is
    given back as it is.

    >>> format_p(0.0004), format_p(0.01234, prefix=True), format_p(float("nan")), format_p("c", missing=KEEP)
    ('< 0.001', 'p = 0.012', '', 'c')
    """
    if not isinstance(p, (int, float)) or p != p:  # p != p: NaN
        if missing is KEEP:
            return p
        if p is None or p != p:
            return missing
    text = "< 0.001" if p < 0.001 else f"{p:.3f}"
    if prefix:
        return f"p {text}" if text.startswith("<") else f"p = {text}"
    return text
