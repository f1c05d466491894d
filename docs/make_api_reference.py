"""Write docs/api.md, the public API reference, from the package's docstrings (``make api``).

Every subpackage and top-level module of cm_research, in the order of the layers (CONTRIBUTING.md), with each
public function and class of each module (its ``__all__``, or else every name defined there that does not start
with ``_``): the signature and the first paragraph of the docstring. Old argument names kept for one release are
listed after the signature. tests/test_api_reference.py fails when the committed page is not what this writes.

    python docs/make_api_reference.py            # writes docs/api.md
    python docs/make_api_reference.py --check    # exit 1 if docs/api.md is out of date
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import cm_research

OUTPUT = Path(__file__).resolve().parent / "api.md"
PACKAGE_DIR = Path(cm_research.__file__).resolve().parent
#: the layers of CONTRIBUTING.md, lowest first; the page follows them
ORDER = ["errors", "contract", "resampling", "dictionary", "resources", "run_folder", "deprecation", "data", "interop",
         "measures", "stats", "qual", "privacy", "surveys", "quality", "frameworks", "mentors", "datasets", "plots",
         "report", "batch", "cli", "app"]
SKIP = {"cm_research.cli", "cm_research.mentors.cli", "cm_research.__main__"}  # command lines: see `cm-research -h`


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(cm_research.__path__, "cm_research.")]
    names = [n for n in names if n not in SKIP and not any(part.startswith("_") for part in n.split(".")[1:])]

    def key(name: str) -> tuple[int, str]:
        area = name.split(".")[1]
        return (ORDER.index(area) if area in ORDER else len(ORDER), name)

    return sorted(names, key=key)


def _public(module) -> list[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items() if not n.startswith("_")
                 and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and getattr(obj, "__module__", None) == module.__name__]
    found = []
    for name in names:
        obj = getattr(module, name, None)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if getattr(obj, "__module__", None) == module.__name__:  # documented where it is defined
                found.append((name, obj))
    return sorted(found, key=lambda item: item[0].lower())


def _signature(obj) -> str:
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(…)"
    text = text.replace(str(PACKAGE_DIR), "<cm_research>")  # defaults inside the package: the same on every checkout
    return re.sub(r"<[^<>]* at 0x[0-9a-f]+>", "…", text)  # object reprs carry a memory address


def _summary(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    if inspect.isclass(obj) and doc == inspect.getdoc(obj.__mro__[1]) and obj.__mro__[1] is not object:
        doc = ""  # inherited docstring: say nothing rather than repeat the parent's
    first = doc.split("\n\n", 1)[0].strip()
    return " ".join(first.split()) or "(no docstring)"


def render() -> str:
    lines = ["# cm_research: public API reference", "",
             "Generated from the docstrings by `docs/make_api_reference.py` (`make api`); do not edit by hand. "
             "Modules follow the layers of CONTRIBUTING.md, lowest first; each entry gives the signature and the "
             "first paragraph of the docstring. The full docstrings (formulae, references, examples) are in the "
             "code and in `help()`.", ""]
    for name in _modules():
        module = importlib.import_module(name)
        entries = _public(module)
        if not entries:
            continue
        lines += [f"## `{name}`", "", _summary(module), ""]
        for attr, obj in entries:
            kind = "class" if inspect.isclass(obj) else "def"
            lines.append(f"- **`{attr}`** `{kind} {attr}{_signature(obj)}`  ")
            renamed = getattr(obj, "__renamed_arguments__", None)
            note = ("  (old names, until 0.3: " + ", ".join(f"`{o}` → `{n}`" for o, n in renamed.items()) + ")"
                    if renamed else "")
            lines.append(f"  {_summary(obj)}{note}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run `make api`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
