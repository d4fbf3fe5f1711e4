"""A real browser for the public pages: Debian's chromium driven by Playwright, axe-core
(from the npm registry, fetched by .ci/browser-deps) injected to check accessibility, and a
QR decoder to read the poster's codes back from what the browser drew."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# Where a run leaves what people look at: screenshots, the poster's PDF, axe's findings.
ARTIFACTS = ROOT / "build" / "pages"
_AXE_VERSION = re.search(
    r"^AXE_VERSION=(\S+)$",
    (ROOT / ".ci" / "browser-deps").read_text(encoding="utf-8"),
    re.M,
)
assert _AXE_VERSION, ".ci/browser-deps names no AXE_VERSION"
AXE = ROOT / ".cache" / "axe-core" / _AXE_VERSION.group(1) / "axe.min.js"
# What the pages promise: WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
# What is printed on A4 inside the poster's margins (210 - 2 x 14 mm), at 96 pixels an inch.
A4_PRINTED = ViewportSize(width=688, height=1000)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            await browser.close()


async def axe(page: Page) -> dict[str, Any]:
    """axe-core's findings on the page as it stands: violations (with their impact), passes.

    Evaluated through the DevTools protocol, which the page's policy does not govern: the
    page itself still may run no script."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run .ci/browser-deps (npm pack axe-core)")
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']})",
        AXE_TAGS,
    )
    return found


def summary(found: dict[str, Any]) -> dict[str, Any]:
    """What a person reads of axe's answer: each violation's rule, impact, and where."""
    return {
        "violations": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [node["target"] for node in v["nodes"]],
            }
            for v in found["violations"]
        ],
        "passes": len(found["passes"]),
        "incomplete": [v["id"] for v in found["incomplete"]],
    }


def blocking(found: dict[str, Any]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in found["violations"]
        if v["impact"] in BLOCKING
    ]


def decode_qr(png: bytes) -> list[str]:
    """Every QR code the image shows, as text."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image) if code.valid]


def save(name: str, data: bytes | dict[str, Any]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
