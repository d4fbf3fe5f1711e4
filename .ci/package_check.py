"""Run by .ci/check-package from an empty folder, with the installed ``tiepdan`` only: its
version, the demo, and a citizen's registration typed into the console through a pipe."""

from __future__ import annotations

import re
import subprocess
import sys

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
    print(f"{version.strip()}: demo loaded, ticket {codes[0]} issued and listed")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
