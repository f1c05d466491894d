"""How many values a document read from YAML holds once its aliases are expanded.

A YAML alias is a reference, so a file of a few hundred bytes can nest aliases inside each other and expand to
10**9 values ("billion laughs"): the parser is quick, but whatever walks the result afterwards runs for ever.
Readers of YAML written by people (batch files, codebooks) count first and refuse a document past their limit.
"""

from __future__ import annotations

from typing import Any

#: values a batch file or a codebook may hold (a codebook of 500 codes with 50 hints each holds about 30,000)
MAX_VALUES = 100_000


def count_values(doc: Any, limit: int = MAX_VALUES) -> int:
    """How many values ``doc`` holds once YAML aliases are expanded, counting no further than ``limit + 1``, so
    the check itself costs at most ``limit`` steps."""
    count, stack = 0, [doc]
    while stack and count <= limit:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return count
