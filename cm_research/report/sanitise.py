"""Make notebook outputs safe to publish as HTML: no script can run in a report, whatever the data said.

Reports show text that came from outside the package: site names, column headings and cells of data files,
transcript quotes, survey comments, codebook labels. Two layers keep any markup in them inert:

1. where the package writes HTML or Markdown (``cm_research.report.display``), text is escaped, so a site called
   ``<script>alert(1)</script>`` is shown as those characters;
2. when an executed notebook becomes an HTML report (:func:`sanitise_notebook`, called by
   ``cm_research.report.html.notebook_to_html``), every HTML and Markdown output is cleaned by ``nh3`` (the
   Python binding of the Rust ``ammonia`` sanitiser) against an allow-list: no ``<script>``, ``<iframe>``,
   ``<object>``, event handlers (``onerror=``), ``javascript:`` links, remote images or CSS that loads anything;
   JavaScript outputs, and every kind of output a report does not show (:data:`REPORT_MIMES`), are dropped;
   an image's data must be base64 and its sizes whole numbers. What reports need stays: tables with their
   ``<style>`` block, headings, lists, figures as embedded PNG ``data:`` images with their ``alt`` text,
   ``lang``, ``role``, ``aria-*`` and ``scope`` attributes (WCAG 2.1 AA).
"""

from __future__ import annotations

import re

import nh3

#: tags a report may contain: ammonia's default set plus the ones our tables and figures use
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {"style", "tfoot", "section", "main"})
ALLOWED_ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "title", "lang", "dir", "role", "style", "hidden", "tabindex"},
    "img": {"src", "alt", "width", "height", "loading"},
    "style": {"type", "media"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "align", "abbr"},
    "a": {"href", "hreflang"},
    "time": {"datetime"},
    "data": {"value"},
    "ol": {"start", "type"},
}
#: only raster images embedded in the page itself: a report opens offline and fetches nothing
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_LOADS_SOMETHING = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding",
                              re.IGNORECASE)
#: CSS spells a character with a backslash (``u\\72 l(`` is ``url(``) and ignores comments (``u/**/rl``), and a
#: quoted address loads without url( (``image-set("https://…" 1x)``), so CSS is checked as a browser reads it
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})\s?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_ADDRESS = re.compile(r"://|image-set\s*\(|\bsrc\s*\(|\bimage\s*\(|cross-fade\s*\(|\belement\s*\(", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _css_char(match: re.Match) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _css_loads(css: str) -> bool:
    """Whether CSS could make the browser fetch something, read with its escapes decoded and comments removed."""
    plain = _CSS_ESCAPE.sub(_css_char, _CSS_COMMENT.sub("", css))
    return bool(_LOADS_SOMETHING.search(plain) or _ADDRESS.search(plain))


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "src":
        return value if tag == "img" and _DATA_IMAGE.match(value) else None
    if name == "href" and value.lower().startswith("data:"):
        return None
    if name == "style" and _css_loads(value):
        return None
    return value


def _safe_style(match: re.Match) -> str:
    return "" if _css_loads(match.group(1)) or "</" in match.group(1) else match.group(0)


def sanitise_html(fragment: str) -> str:
    """``fragment`` with everything that could run, load or hide content removed (see the module docstring).

    >>> sanitise_html('<img src=x onerror=alert(3)><b>ok</b>')
    '<img><b>ok</b>'
    """
    fragment = _STYLE_BLOCK.sub(_safe_style, fragment)
    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), clean_content_tags={"script", "noscript", "template"},
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     generic_attribute_prefixes={"aria-"}, attribute_filter=_attribute,
                     url_schemes={"http", "https", "mailto", "data"}, strip_comments=True)


def escape_markup(text: str) -> str:
    """Text that may contain ``<`` made safe to put in Markdown: the start of anything that could be a tag or a
    comment becomes ``&lt;``, so it shows as typed; ``<5`` and ``< 5`` (suppressed counts) are left alone."""
    return _TAG_START.sub("&lt;", str(text))


def _markdown_to_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


#: the kinds of output a report shows; nbconvert writes some others into the page as they are (a Mermaid diagram's
#: text inside ``<pre>``, an SVG's markup), so every other kind (JavaScript, widgets, SVG, PDF, ...) is dropped
REPORT_MIMES = frozenset({"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
                          "image/gif"})
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _safe_image(data: dict, metadata: dict) -> None:
    """An image output's data only if it is base64 (nbconvert puts it in ``src`` as it is), and its width and
    height only as whole numbers (nbconvert writes them into the ``<img>`` tag without quotes)."""
    for mime in [m for m in data if m.startswith("image/")]:
        if not isinstance(data[mime], str) or not _BASE64.match(data[mime]):
            del data[mime]
        sizes = metadata.get(mime)
        if isinstance(sizes, dict):
            for key in [k for k in sizes if k in ("width", "height")]:
                value = str(sizes[key]).strip()
                if value.isdigit() and value.isascii():
                    sizes[key] = int(value)
                else:
                    del sizes[key]


def sanitise_notebook(nb) -> int:
    """Clean every output of an executed notebook in place: HTML outputs are sanitised, Markdown outputs are
    rendered to HTML and sanitised, images kept only as base64 with whole-number sizes, and every kind of output
    not in :data:`REPORT_MIMES` (JavaScript, widgets, SVG, Mermaid, ...) removed. Returns the number of outputs
    changed."""
    changed = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data")
            if not data:
                continue
            before = dict(data)
            for mime in [m for m in data if m not in REPORT_MIMES]:
                del data[mime]
            metadata = output.get("metadata")
            _safe_image(data, metadata if isinstance(metadata, dict) else {})
            if "text/markdown" in data:
                markdown = data.pop("text/markdown")
                markdown = "".join(markdown) if isinstance(markdown, list) else markdown
                data.setdefault("text/html", _markdown_to_html(markdown))
            if "text/html" in data:
                html = data["text/html"]
                data["text/html"] = sanitise_html("".join(html) if isinstance(html, list) else html)
            changed += data != before
    return changed
