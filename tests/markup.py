"""Hostile scenario text, and a check that none of it became live markup in rendered HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import strategies as st

#: Each payload carries the attribute ``data-xss`` where it makes an element, so an element that came from
#: scenario text is recognisable whatever its tag.
PAYLOADS = (
    "<script data-xss>alert(1)</script>",
    "<img src=x onerror=alert(1) data-xss>",
    "</textarea></title></style><svg onload=alert(1) data-xss>",
    "[click me](javascript:alert(1))",
    "<a href='javascript:alert(1)' data-xss>click</a>",
    "\"><iframe src=javascript:alert(1) data-xss></iframe>",
    "'><body onload=alert(1) data-xss>",
    "--><script data-xss>alert(1)</script><!--",
    "**bold** <details open ontoggle=alert(1) data-xss>",
    "<math><mtext></p><img src=x onerror=alert(1) data-xss></mtext></math>",
)
HOSTILE_TEXT = st.builds(lambda pre, payload, post: f"{pre}{payload}{post}", st.text(max_size=8),
                         st.sampled_from(PAYLOADS), st.text(max_size=8))

_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class _Live(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "base"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            text = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on") or name == "data-xss":
                self.problems.append(f"<{tag} {name}=...>")
            if name in _URL_ATTRS and text.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def live_markup(page: str) -> list[str]:
    """Every script element, event-handler attribute, script URL or payload-made element in ``page``."""
    parser = _Live()
    parser.feed(page)
    parser.close()
    return parser.problems
