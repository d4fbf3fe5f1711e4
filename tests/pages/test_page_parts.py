"""The parts of the pages that need no server: the months a poster may be printed for, the
rules' text as paragraphs and lists, sentences with a link in them, the QR code, the order of
units, and when a page last changed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import segno

from bot.core.model import Unit, UnitKind, UnitLevel
from bot.records import public_pages
from bot.records.public_pages import Block, fill, link, qr_code
from handlers.pages import FirstSeen


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (None, date(2026, 11, 1)),
        ("", date(2026, 11, 1)),
        ("2026-11", date(2026, 11, 1)),
        ("2026-12", date(2026, 12, 1)),
        ("2027-01", None),
        ("2026-10", None),
        ("2026-00", None),
        ("2026-13", None),
        ("2026-1", None),
        ("12/2026", None),
    ],
)
def test_a_poster_is_printed_for_this_month_or_the_next(
    asked: str | None, expected: date | None
) -> None:
    assert public_pages._month(asked, date(2026, 11, 30)) == expected


def test_the_month_after_december_is_january() -> None:
    assert public_pages._month("2027-01", date(2026, 12, 31)) == date(2027, 1, 1)
    assert public_pages._next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_the_rules_text_becomes_paragraphs_and_lists() -> None:
    body = """
Bí thư cấp ủy:
• cấp tỉnh: ít nhất 1 ngày trong tháng.
• cấp xã: ít nhất 2 ngày trong tháng.

Ngoài lịch định kỳ, lãnh đạo còn tiếp dân đột xuất.
• một mục riêng
"""
    assert public_pages._blocks(body) == (
        Block("p", ["Bí thư cấp ủy:"]),
        Block(
            "ul", ["cấp tỉnh: ít nhất 1 ngày trong tháng.", "cấp xã: ít nhất 2 ngày trong tháng."]
        ),
        Block("p", ["Ngoài lịch định kỳ, lãnh đạo còn tiếp dân đột xuất."]),
        Block("ul", ["một mục riêng"]),
    )


def test_a_sentence_with_a_link_escapes_all_but_the_link() -> None:
    sentence = fill(
        "Đọc {rules} & <b>ghi nhớ</b>.",
        rules=link("/rules?lang=en&x=<1>", "quy định <mới>"),
    )
    assert str(sentence) == (
        'Đọc <a href="/rules?lang=en&amp;x=&lt;1&gt;">quy định &lt;mới&gt;</a>'
        " &amp; &lt;b&gt;ghi nhớ&lt;/b&gt;."
    )
    # A plain value in a placeholder is text, never markup.
    assert str(fill("Mở {bot}.", bot="<script>")) == "Mở &lt;script&gt;."
    # A translation that lost its placeholder shows the sentence rather than failing.
    assert str(fill("Mở {bot.", bot="x")) == "Mở {bot."


def test_a_link_for_another_sites_frame_opens_a_new_tab() -> None:
    assert str(link("https://t.me/X", "X", new_tab=True, css="button")) == (
        '<a href="https://t.me/X" class="button" target="_blank" rel="noopener">X</a>'
    )


def test_a_qr_code_is_inline_svg_named_for_assistive_technology() -> None:
    url = "https://t.me/TiepDanAnHoaBot?start=reg_bt-xa"
    svg = str(qr_code(url, 'Mã QR: "Lê Văn Hùng" <Bí thư>'))
    assert svg.startswith(
        '<svg role="img" aria-label="Mã QR: &#34;Lê Văn Hùng&#34; &lt;Bí thư&gt;" '
    )
    assert "<script" not in svg and "style=" not in svg
    # Sized by the stylesheet, drawn from its view box; what segno would encode for the URL.
    assert "width=" not in svg.split(">", 1)[0]
    expected = segno.make(url, error="m", micro=False)
    size = expected.symbol_size()[0]
    assert f'viewBox="0 0 {size} {size}"' in svg


def test_units_are_listed_each_above_the_units_below_it() -> None:
    def unit(id_: int, code: str, parent: int | None) -> Unit:
        return Unit(id_, code, code, UnitKind.PARTY_COMMITTEE, UnitLevel.COMMUNE, parent)

    units = [
        unit(1, "tinh", None),
        unit(2, "ubnd-tinh", None),
        unit(3, "xa-a", 1),
        unit(4, "xa-b", 2),
        unit(5, "thon", 3),
        # A parent outside the list is no parent: the unit is a root.
        unit(6, "mo-coi", 99),
    ]
    assert [u.code for u in public_pages._in_tree_order(units)] == [
        "tinh",
        "xa-a",
        "thon",
        "ubnd-tinh",
        "xa-b",
        "mo-coi",
    ]
    tree = public_pages._tree(units, {3: 2})
    assert [(e.code, [b.code for b in e.below]) for e in tree] == [
        ("tinh", ["xa-a"]),
        ("ubnd-tinh", ["xa-b"]),
        ("mo-coi", []),
    ]
    assert tree[0].below[0].sessions == 2 and tree[0].below[0].below[0].code == "thon"


def test_a_page_is_dated_from_when_its_bytes_first_appeared() -> None:
    seen = FirstSeen(limit=2)
    nine = datetime(2026, 11, 30, 2, 0, 0, 500_000, tzinfo=UTC)
    assert seen.since("a", b"one", nine) == nine.replace(microsecond=0)
    assert seen.since("a", b"one", nine + timedelta(hours=1)) == nine.replace(microsecond=0)
    assert seen.since("a", b"two", nine + timedelta(hours=2)) == nine + timedelta(
        hours=2, microseconds=-500_000
    )
    # Bounded: the page asked least recently is forgotten, then dated anew.
    seen.since("b", b"x", nine)
    seen.since("c", b"x", nine)
    assert seen.since("a", b"two", nine + timedelta(hours=3)) == (
        nine + timedelta(hours=3)
    ).replace(microsecond=0)


def test_the_stylesheet_is_minified_without_changing_its_rules() -> None:
    css = "/* note */\n.a > .b ,\n.c {\n  color: red ;\n  margin: 0 auto;\n}\n"
    assert public_pages._minified(css) == ".a>.b,.c{color: red;margin: 0 auto}"
    assert not re.search(r"/\*|\n", public_pages.STYLESHEET)


def test_the_readme_shows_every_committed_screenshot_and_no_other() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\(docs/screenshots/([\w-]+\.png)\)", readme))
    committed = {path.name for path in (root / "docs" / "screenshots").glob("*.png")}
    assert linked == committed
    # Still two commands to set up, whatever the pages added.
    setup = readme.split("## Set up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in setup.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]
