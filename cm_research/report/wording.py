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
