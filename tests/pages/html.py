"""Reading a served page back: a small tree of its elements (standard library only), so that
tests ask for "the rows of the table", "the headings", not for bytes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """The text inside, white space collapsed as a reader sees it."""
        return re.sub(r"\s+", " ", "".join(self._texts())).strip()

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield " " if child.tag in {"br", "td", "th", "li", "p", "span", "dt", "dd"} else ""
                yield from child._texts()

    def walk(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def all(self, tag: str, **attrs: str) -> list[Element]:
        """Every element below with this tag (``*`` for any) whose attributes include
        ``attrs`` (``class_`` for ``class``: one of its words)."""
        return [
            element
            for element in self.walk()
            if tag in ("*", element.tag) and all(element.has(k, v) for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def has(self, key: str, value: str) -> bool:
        if key == "class_":
            return value in self.attrs.get("class", "").split()
        return self.attrs.get(key.replace("_", "-")) == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return
        raise AssertionError(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parse(html: bytes | str) -> Element:
    builder = _Builder()
    builder.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    builder.close()
    assert builder._open == [builder.root], [e.tag for e in builder._open]
    return builder.root


def rows(table: Element) -> list[list[str]]:
    """The body rows of a table, as the text of each cell (its row header first)."""
    return [
        [cell.text() for cell in row.children if isinstance(cell, Element)]
        for body in table.all("tbody")
        for row in body.all("tr")
    ]
