"""Old names kept for one release, with a warning that says what to use instead.

Two kinds of rename (CONTRIBUTING.md, "Naming"):

- an argument renamed to the convention: :func:`renamed_arguments` accepts the old keyword, warns, and passes it on
  under the new name (giving both is an error);
- a function or module attribute that moved: :func:`moved_attribute` builds a module ``__getattr__`` that warns and
  imports the new home only when the old name is used.

The warning is a :class:`CMResearchDeprecationWarning`, a :class:`FutureWarning`, so a notebook shows it by default
(a plain DeprecationWarning is hidden outside ``__main__``).
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: the release in which the old names go
REMOVED_IN = "0.3"


class CMResearchDeprecationWarning(FutureWarning):
    """An old name was used; the message gives the new one. The old name goes in release 0.3."""


def renamed_arguments(**old_to_new: str) -> Callable[[F], F]:
    """Decorator: accept each old keyword argument under its new name, with a warning.

    >>> @renamed_arguments(conf_level="confidence")
    ... def interval(x, confidence=0.95):
    ...     return confidence
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     interval(1, conf_level=0.9), caught[0].category.__name__
    (0.9, 'CMResearchDeprecationWarning')
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{function.__name__}() was given both `{old}` and `{new}`; `{old}` is the "
                                        f"old name of `{new}`: give only `{new}`.")
                    warnings.warn(f"{function.__name__}(): the argument `{old}` is now called `{new}`; `{old}` "
                                  f"goes in release {REMOVED_IN}.", CMResearchDeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        wrapper.__renamed_arguments__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def moved_attribute(module_name: str, moves: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for names that moved: ``moves`` maps an old name to ``"new.module:new_name"``.

    The new home is imported only when the old name is used, so a lower layer can keep a name that now lives
    in a higher one without importing upwards at import time.
    """

    def __getattr__(name: str) -> Any:
        if name not in moves:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        target, _, attribute = moves[name].partition(":")
        warnings.warn(f"{module_name}.{name} is now {target}.{attribute}; the old name goes in release "
                      f"{REMOVED_IN}.", CMResearchDeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(target), attribute)

    return __getattr__


def deprecated_alias(function: F, old_name: str, use_instead: str) -> F:
    """The old public name of a function whose result was not a tidy table, kept for one release.

    The alias warns, naming ``use_instead``, and returns exactly what the old function returned (CONTRIBUTING.md,
    "Return types").

    >>> def _double(x):
    ...     return 2 * x
    >>> double = deprecated_alias(_double, "double", "`tidy_double()`")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     double(2), caught[0].category.__name__
    (4, 'CMResearchDeprecationWarning')
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"{old_name}() is deprecated: use {use_instead} instead; {old_name}() goes in release "
                      f"{REMOVED_IN}.", CMResearchDeprecationWarning, stacklevel=2)
        return function(*args, **kwargs)

    wrapper.__name__ = wrapper.__qualname__ = old_name
    wrapper.__doc__ = f"Deprecated, goes in release {REMOVED_IN}: use {use_instead}."
    wrapper.__deprecated_alias__ = use_instead  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
