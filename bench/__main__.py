"""``python -m bench``: run the benchmarks and print the table (see docs/benchmarks.md).

python -m bench [--only SCENARIO ...] [--engines sqlite postgresql]
                [--postgres URL] [--scale 0.1] [--folder DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import scenarios
from bench.scenarios import Options, Row

SCENARIOS: dict[str, scenarios.Scenario] = {
    "throughput": scenarios.throughput,
    "latency": scenarios.latency,
    "conversations": scenarios.conversations,
    "reminders": scenarios.reminders,
    "queries": scenarios.queries,
    "memory": scenarios.memory,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TIEPDAN_BENCH_PG_URL", ""),
        help="a PostgreSQL database the benchmarks may wipe (default: TIEPDAN_BENCH_PG_URL)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the full sizes")
    parser.add_argument("--folder", type=Path, help="where databases and logs go")
    arguments = parser.parse_args()
    engines = arguments.engines or (["sqlite", "postgresql"] if arguments.postgres else ["sqlite"])
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="tiepdan-bench-"))
    options = Options(folder, tuple(engines), arguments.postgres, arguments.scale)
    print(_heading(options), flush=True)
    print(HEADER, flush=True)
    for name in arguments.only:
        for row in asyncio.run(SCENARIOS[name](options)):
            print(_line(row), flush=True)
    return 0


HEADER = (
    "| Scenario | Engine | Measure | Tiếp Dân | Echo bot | Ratio | Target | Met |\n"
    "|---|---|---|---:|---:|---:|---|---|"
)


def _heading(options: Options) -> str:
    cores = os.cpu_count()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()}, {cores} cores · "
        f"Python {sys.version.split()[0]} · scale {options.scale} · logs in {options.folder}"
    )


def _line(row: Row) -> str:
    echo = "—" if row.echo is None else _number(row.echo)
    ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
    met = {True: "yes", False: "**no**", None: ""}[row.met]
    return (
        f"| {row.scenario} | {row.engine} | {row.measure} | {_number(row.tiepdan)} {row.unit} "
        f"| {echo} | {ratio} | {row.target} | {met} |"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


if __name__ == "__main__":
    sys.exit(main())
