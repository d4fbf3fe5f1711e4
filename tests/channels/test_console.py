"""The console channel: numbered choices, and the real command driven through a pipe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.core import tickets
from bot.core.model import Choice, Reply
from handlers.console import interpret, render
from tests.support import ANSWERS

ROOT = Path(__file__).resolve().parents[2]


def test_choices_are_numbered_across_replies() -> None:
    text, numbered = render(
        [
            Reply("First", (Choice("A", "p:a"),)),
            Reply("Second", (Choice("B", "p:b"), Choice("Đồng ý", "p:c"))),
        ]
    )
    assert text == "First\n  1. A\n\nSecond\n  2. B\n  3. Đồng ý"
    assert [c.payload for c in numbered] == ["p:a", "p:b", "p:c"]


def test_a_number_or_a_label_selects_a_choice_and_anything_else_is_text() -> None:
    choices = [Choice("Đồng ý", "reg:consent:yes"), Choice("Không đồng ý", "reg:consent:no")]
    assert interpret("2", choices) == (None, "reg:consent:no")
    assert interpret("  dong y ", choices) == (None, "reg:consent:yes")
    assert interpret("3", choices) == ("3", None)
    assert interpret("0912345678", choices) == ("0912345678", None)
    assert interpret("02", choices) == ("02", None)
    assert interpret("Nguyễn Văn An", []) == ("Nguyễn Văn An", None)


CONFIG = """
[database]
url = "sqlite+aiosqlite:///{folder}/console.sqlite3"

[[officers]]
channel = "console"
user_id = "admin"
name = "Chị Quản Trị"
role = "admin"
permissions = ["confidential"]
"""


def run_console(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text(CONFIG.format(folder=tmp_path), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "bot", "--config", str(config)]
    subprocess.run([*command, "demo"], check=True, capture_output=True, env=env, cwd=tmp_path)
    return subprocess.run(
        [*command, "console", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_tiepdan_console_registers_a_citizen_through_a_pipe(tmp_path: Path) -> None:
    script = [
        "/start",
        "2",  # Register to meet a leader
        "1",  # I agree
        ANSWERS["full_name"],
        ANSWERS["phone"],
        ANSWERS["id_number"],
        ANSWERS["province"],
        ANSWERS["address"],
        "1",  # Complaint
        "1",  # the first leader
        "1",  # the first session
        "1",  # one person
        "1",  # no interpreter needed
        ANSWERS["summary"],
        "1",  # nobody has handled it yet
        ANSWERS["request"],
        "1",  # send
        "/status",
    ]
    result = run_console(tmp_path, script, "--user", "citizen-1")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    codes = re.findall(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", result.stdout)
    assert codes, result.stdout[-2000:]
    assert tickets.normalize(codes[0]) == codes[0]
    # /status at the end lists the same code.
    assert result.stdout.rstrip().count(codes[0]) >= 2
    # The conversation was in Vietnamese, the default language.
    assert "Mã phiếu" in result.stdout or "mã phiếu" in result.stdout


REGISTRATION = [
    "/register",
    "1",  # I agree
    ANSWERS["full_name"],
    ANSWERS["phone"],
    ANSWERS["id_number"],
    ANSWERS["province"],
    ANSWERS["address"],
    "1",  # Complaint
    "1",  # the first leader
    "1",  # the first session
    "1",  # one person
    "1",  # no interpreter needed
    ANSWERS["summary"],
    "1",  # nobody has handled it yet
    ANSWERS["request"],
    "1",  # send
]


def test_a_citizen_registers_in_khmer_and_the_officers_read_vietnamese(tmp_path: Path) -> None:
    """From /start to the ticket in Khmer, through the real console: the review shows the
    Vietnamese record before sending; the officer's /view is Vietnamese, with the citizen's
    language and the Khmer interpreter flagged."""
    (tmp_path / "config.toml").write_text(
        CONFIG.format(folder=tmp_path) + '\n[bot]\nlocales = ["vi", "en", "km"]\n',
        encoding="utf-8",
    )
    summary = "ខ្ញុំសូមប្ដឹងតវ៉ាអំពីសេចក្ដីសម្រេចដកហូតដីលេខ 12/QĐ-UBND ព្រោះសំណងមិនត្រឹមត្រូវ។"
    script = [
        "/lang km",
        "/start",
        "2",  # Register to meet a leader
        # The same answers as in Vietnamese, up to the interpreter: the first choice, in
        # Khmer, is a Khmer interpreter.
        *REGISTRATION[1:12],
        summary,
        "1",  # nobody has handled it yet
        "សូមពិនិត្យសេចក្ដីសម្រេចដកហូតដីឡើងវិញ។",
        "1",  # send
    ]
    citizen = run_console(tmp_path, script, "--user", "citizen-km")
    assert citizen.returncode == 0, citizen.stderr
    out = citizen.stdout
    assert "Traceback" not in out + citizen.stderr
    codes = re.findall(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", out)
    assert codes, out[-2000:]
    # The conversation was in Khmer; before sending, the record the officers will read.
    assert "លេខកូដសំណុំ" in out
    review = out[out.index("កំណត់ត្រាដែលមន្ត្រីនឹងអាន") :]
    assert "Loại nội dung: Khiếu nại" in review and "Người phiên dịch: tiếng Khmer" in review
    assert f"Nội dung sự việc: {summary}" in review

    desk = run_console(tmp_path, [f"/view {codes[0]}"], "--user", "admin")
    assert desk.returncode == 0, desk.stderr
    assert "🗣 Cần người phiên dịch: tiếng Khmer" in desk.stdout
    assert "💬 Trò chuyện với bot bằng tiếng Khmer" in desk.stdout
    assert "Công dân: Nguyễn Văn An" in desk.stdout


def test_an_officer_triages_through_the_console(tmp_path: Path) -> None:
    registered = run_console(tmp_path, REGISTRATION, "--user", "citizen-1")
    code = re.findall(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", registered.stdout)[0]
    stranger = run_console(tmp_path, ["/lang en", f"/approve {code}"], "--user", "citizen-2")
    assert "I do not know the command /approve" in stranger.stdout
    desk = run_console(
        tmp_path,
        ["/lang en", "/queue", f"/view {code}", f"/approve {code}", f"/approve {code}"],
        "--user",
        "admin",
    )
    assert desk.returncode == 0, desk.stderr
    assert f"• {code} · Complaint" in desk.stdout
    assert "Citizen: Nguyễn Văn An" in desk.stdout
    assert f"✅ {code} scheduled into session" in desk.stdout
    assert f"/approve does not apply to {code}" in desk.stdout
    after = run_console(tmp_path, [f"/status {code}"], "--user", "citizen-1")
    assert "Đã xếp lịch tiếp" in after.stdout


def test_console_ends_cleanly_at_the_end_of_input(tmp_path: Path) -> None:
    result = run_console(tmp_path, [])
    assert result.returncode == 0
    assert result.stderr == ""
