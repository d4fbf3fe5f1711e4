"""The import rules of ARCHITECTURE.md, checked on the source: the core stays channel-, HTTP-
and SQL-free; channels never touch storage; configuration and wall-clock reads stay put."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = frozenset(sys.stdlib_module_names)

# What each layer may import besides the standard library and itself.
ALLOWED: dict[str, frozenset[str]] = {
    "bot/core": frozenset({"bot.core", "babel", "phonenumbers", "holidays", "dateutil"}),
    "bot/dialogue": frozenset({"bot.core", "bot.dialogue", "bot.records"}),
    # Records turn what the database holds into documents: spreadsheets, calendars, open data,
    # the public pages (HTML from templates, QR codes as SVG).
    "bot/records": frozenset(
        {"bot.core", "bot.records", "openpyxl", "icalendar", "jinja2", "markupsafe", "segno"}
    ),
    "storage": frozenset({"bot.core", "storage", "sqlalchemy", "alembic"}),
    # prometheus_client: /metrics (handlers/metrics.py) implements bot.metrics' port.
    "handlers": frozenset(
        {
            "bot.core",
            "bot.dialogue",
            "bot.records",
            "handlers",
            "aiogram",
            "aiohttp",
            "prometheus_client",
        }
    ),
}


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def allowed(module: str, layer: frozenset[str]) -> bool:
    top = module.split(".", 1)[0]
    if top in STDLIB or top == "__future__":
        return True
    return any(module == name or module.startswith(name + ".") for name in layer)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(folder: str) -> None:
    files = python_files(folder)
    assert files, f"no Python files under {folder}"
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path))
        if not allowed(module, ALLOWED[folder])
    ]
    assert offences == []


def test_the_core_never_imports_channels_http_or_sql() -> None:
    forbidden = ("aiogram", "aiohttp", "sqlalchemy", "alembic", "apscheduler", "asyncpg")
    for folder in ("bot/core", "bot/dialogue", "bot/records"):
        for path in python_files(folder):
            for module in imported_modules(path):
                assert not module.startswith(forbidden), f"{path} imports {module}"


def test_the_rule_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import aiogram\nfrom sqlalchemy import select\nimport json\n")
    modules = imported_modules(sample)
    assert [m for m in sorted(modules) if not allowed(m, ALLOWED["bot/core"])] == [
        "aiogram",
        "sqlalchemy",
    ]


def test_only_the_configuration_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "storage")
        for path in python_files(folder)
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["bot/config.py"]


def test_only_the_clock_reads_the_wall_clock() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "storage")
        for path in python_files(folder)
        if ".now(" in path.read_text(encoding="utf-8") and "clock" not in path.name
    ]
    offending = [
        path
        for path in readers
        if "datetime.now(" in (ROOT / path).read_text(encoding="utf-8")
        or "date.today(" in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert offending == []


# The repository's parts, one per aggregate, mirror the core's ports one for one.
AGGREGATES = (
    "citizens",
    "schedules",
    "registrations",
    "officers",
    "outbox",
    "credentials",
    "inbox",
    "subscriptions",
    "privacy",
)


def test_each_aggregate_has_its_port_and_its_storage_part() -> None:
    assert sorted(p.stem for p in (ROOT / "bot/core/ports").glob("*.py")) == sorted(
        [*AGGREGATES, "__init__", "records"]
    )
    for aggregate in AGGREGATES:
        assert (ROOT / "storage" / f"{aggregate}.py").is_file(), aggregate


@pytest.mark.parametrize("aggregate", AGGREGATES)
def test_a_storage_part_implements_exactly_its_port(aggregate: str) -> None:
    """Every method a port declares is defined by the matching storage part, and no part
    grows public methods its port does not declare."""
    port = _public_methods(ROOT / "bot/core/ports" / f"{aggregate}.py")
    part = _public_methods(ROOT / "storage" / f"{aggregate}.py")
    assert port and part == port


def test_storage_parts_use_each_other_only_through_shared_queries() -> None:
    """A part may reuse another's query builders and row mappers, never its methods: the
    parts stay readable one file at a time."""
    for aggregate in AGGREGATES:
        path = ROOT / "storage" / f"{aggregate}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("storage."):
                other = (node.module or "").removeprefix("storage.")
                if other in AGGREGATES:
                    names = [alias.name for alias in node.names]
                    assert not any(name.endswith("Repository") for name in names), path


def _public_methods(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        item.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        and not item.name.startswith("_")
    }
