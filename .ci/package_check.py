"""Run by .ci/check-package from an empty folder, with the installed ``tiepdan`` only: its
version, the demo, a citizen's registration typed into the console through a pipe, and the
public pages served by ``tiepdan run`` from the templates inside the package."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

TICKET = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b")
REGISTRATION = [
    "/start",
    "2",  # Register to meet a leader
    "1",  # I agree
    "Nguyễn Văn An",
    "0912 345 678",
    "001090012345",
    "Hà Nội",
    "Số 5 ngõ 10 phố Huế, phường Hai Bà Trưng",
    "1",  # Complaint
    "1",  # the first leader
    "1",  # the first session
    "1",  # one person
    "1",  # no interpreter needed
    "Tôi khiếu nại quyết định thu hồi đất số 12/QĐ-UBND vì bồi thường chưa đúng.",
    "1",  # nobody has handled it yet
    "Đề nghị xem xét lại quyết định thu hồi đất.",
    "1",  # send
    "/status",
]


def run(tiepdan: str, *arguments: str, given: str = "") -> str:
    done = subprocess.run(
        [tiepdan, *arguments],
        check=False,
        input=given,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0 or "Traceback" in output:
        sys.exit(f"tiepdan {' '.join(arguments)} failed ({done.returncode}):\n{output}")
    return output


# The pages of the demo a new user opens first, and words each must say in Vietnamese.
PAGES = {
    "/": "Lịch tiếp công dân",
    "/schedules/demo-ubnd-xa": "Phạm Thị Hoa",
    "/schedules/demo-ubnd-xa/poster": "Lịch tiếp công dân",
    "/rules": "Quyền và nghĩa vụ của công dân",
}


def pages(tiepdan: str) -> int:
    """``tiepdan run`` with the web side on a free port: each page answers 200 in HTML."""
    config = Path("pages.toml")
    config.write_text("[web]\nenabled = true\nport = 0\n", encoding="utf-8")
    process = subprocess.Popen(
        [tiepdan, "--config", str(config), "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def forward() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    threading.Thread(target=forward, daemon=True).start()
    said: list[str] = []
    try:
        base = None
        while base is None:
            said.append(lines.get(timeout=60))
            found = re.search(r"HTTP server: (http://\S+)/healthz", said[-1])
            base = found.group(1) if found else None
        for path, words in PAGES.items():
            with urllib.request.urlopen(base + path, timeout=30) as response:
                body = response.read().decode("utf-8")
                kind = response.headers["Content-Type"]
            if kind != "text/html; charset=utf-8" or words not in body:
                sys.exit(f"{path}: {kind}, without {words!r}:\n{body[:2000]}")
    except (queue.Empty, OSError) as trouble:
        sys.exit(f"the public pages were not served ({trouble}):\n{''.join(said)}")
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    return len(PAGES)


def main(tiepdan: str) -> None:
    version = run(tiepdan, "--version")
    if not re.fullmatch(r"tiepdan \d+\.\d+\.\d+\S*\n", version):
        sys.exit(f"unexpected version line: {version!r}")
    run(tiepdan, "demo")
    conversation = run(tiepdan, "console", "--user", "citizen-1", given="\n".join(REGISTRATION))
    codes = TICKET.findall(conversation)
    # The ticket at submission, then again in /status; in Vietnamese, from the packaged catalog.
    if len(codes) < 2 or codes[0] != codes[-1] or "Mã phiếu" not in conversation:
        sys.exit(f"no ticket code in the conversation:\n{conversation[-3000:]}")
    served = pages(tiepdan)
    print(  # noqa: T201
        f"{version.strip()}: demo loaded, ticket {codes[0]} issued and listed, "
        f"{served} public pages served"
    )


if __name__ == "__main__":
    main(sys.argv[1])
