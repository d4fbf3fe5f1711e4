"""The web side's limits without a network: what a JSON body may be, whom a request counts
against, and the token bucket per client on a clock the test moves."""

from __future__ import annotations

import json

import pytest

from handlers.limits import (
    MAX_JSON_DEPTH,
    BadBody,
    ClientRateLimit,
    client_address,
    json_object,
    nesting,
)

# --- JSON bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        # Brackets inside strings are text, escaped quotes included.
        ('{"a": "[[[{{{", "b": "\\"[[["}', 1),
        ('["\\\\", [[]]]', 3),
        # A string never closed hides what follows: the parser stops there anyway.
        ('[["unterminated [[[[[[', 2),
        ('["ends in a backslash \\', 1),
        # Closed too early, opened again: the deepest point is what counts.
        ("[[]][[[]]]", 3),
    ],
)
def test_nesting_counts_only_the_brackets_outside_strings(text: str, depth: int) -> None:
    assert nesting(text) == depth


def test_an_update_nests_far_less_than_the_limit() -> None:
    document = {"update_id": 1, "message": {"entities": [{"offset": 0}], "text": "[{"}}
    assert nesting(json.dumps(document)) == 4 < MAX_JSON_DEPTH


def test_a_body_at_the_depth_limit_is_read_and_one_level_more_is_refused() -> None:
    at_limit = '{"a": ' * MAX_JSON_DEPTH + "1" + "}" * MAX_JSON_DEPTH
    below: object = json_object(at_limit.encode())
    for _ in range(MAX_JSON_DEPTH - 1):
        assert isinstance(below, dict)
        below = below["a"]
    assert below == {"a": 1}
    with pytest.raises(BadBody, match="nested too deep"):
        json_object(b'{"a": ' + at_limit.encode() + b"}")


@pytest.mark.parametrize("opening", [b"[", b'{"a":', b'[{"a":'])
def test_a_hundred_thousand_levels_are_refused_without_recursing(opening: bytes) -> None:
    with pytest.raises(BadBody, match="nested too deep"):
        json_object(opening * 100_000)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": "\xc3"}', "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"", "not JSON"),
        (b'{"a": 1', "not JSON"),
        # More digits than Python converts to an integer: ValueError, not JSONDecodeError.
        (b'{"a": ' + b"9" * 5000 + b"}", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"[" * 10 + b"]" * 10, "not a JSON object"),
    ],
)
def test_a_body_that_is_not_one_json_object_is_refused_with_its_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(BadBody) as refused:
        json_object(body)
    assert str(refused.value) == reason


def test_a_json_object_in_utf8_is_read() -> None:
    body = json.dumps({"text": "Tiếp công dân [x]"}, ensure_ascii=False).encode()
    assert json_object(body) == {"text": "Tiếp công dân [x]"}


# --- whom a request counts against --------------------------------------------------------------


def test_the_forwarded_header_is_ignored_unless_trusted() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", trust_forwarded=False) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_added() -> None:
    # The first address is whatever the client wrote; the last is what the proxy saw.
    forwarded = "10.9.9.9, 198.51.100.7"
    assert client_address("127.0.0.1", forwarded, trust_forwarded=True) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "  ", "unknown", "198.51.100.7, not-an-ip"])
def test_a_missing_or_unreadable_forwarded_address_counts_the_peer(forwarded: str | None) -> None:
    assert client_address("127.0.0.1", forwarded, trust_forwarded=True) == "127.0.0.1"


def test_an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_ipv4() -> None:
    one = client_address("2001:db8:1:2::1", None, trust_forwarded=False)
    other = client_address("2001:db8:1:2:ffff::9", None, trust_forwarded=False)
    neighbour = client_address("2001:db8:1:3::1", None, trust_forwarded=False)
    assert one == other == "2001:db8:1:2::/64"
    assert neighbour != one
    assert client_address("::ffff:192.0.2.5", None, trust_forwarded=False) == "192.0.2.5"


def test_a_peer_without_an_ip_address_is_still_counted() -> None:
    assert client_address(None, None, trust_forwarded=False) == "unknown"
    assert client_address("unix-socket", None, trust_forwarded=False) == "unix-socket"


# --- the token bucket ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_at_once_then_waits_for_the_refill() -> None:
    clock = Clock()
    limit = ClientRateLimit(60, 3, monotonic=clock)  # one a second
    assert [limit.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.take("a") == pytest.approx(1.0)
    clock.now += 0.25
    # A refused request spends nothing: the wait shrinks with the time passed.
    assert limit.take("a") == pytest.approx(0.75)
    clock.now += 0.75
    assert limit.take("a") == 0.0
    assert limit.take("a") == pytest.approx(1.0)


def test_the_refill_never_exceeds_the_burst() -> None:
    clock = Clock()
    limit = ClientRateLimit(60, 2, monotonic=clock)
    limit.take("a")
    clock.now += 3600
    assert [limit.take("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]


def test_each_client_has_its_own_bucket() -> None:
    clock = Clock()
    limit = ClientRateLimit(6, 1, monotonic=clock)  # one every ten seconds
    assert limit.take("a") == 0.0
    assert limit.take("a") == pytest.approx(10.0)
    assert limit.take("b") == 0.0


def test_a_client_quiet_until_its_bucket_is_full_is_forgotten_losing_nothing() -> None:
    clock = Clock()
    limit = ClientRateLimit(60, 5, monotonic=clock)  # full again 5 s after the last request
    limit.take("quiet")
    clock.now += 2
    limit.take("busy")
    clock.now += 2.5
    limit.take("busy")
    assert len(limit) == 2
    clock.now += 0.5
    limit.take("busy")
    assert len(limit) == 1
    # Met again, it has the whole burst, as it would have had if remembered.
    assert [limit.take("quiet") for _ in range(6)] == [0.0] * 5 + [pytest.approx(1.0)]


def test_past_the_cap_the_longest_quiet_client_is_forgotten() -> None:
    clock = Clock()
    limit = ClientRateLimit(1, 1, max_clients=3, monotonic=clock)
    for client in ("a", "b", "c"):
        assert limit.take(client) == 0.0
        clock.now += 1
    # "a" asks again: now "b" is the one quiet longest.
    assert limit.take("a") > 0
    assert limit.take("d") == 0.0
    assert len(limit) == 3
    assert limit.take("b") == 0.0  # forgotten, so met afresh
    assert limit.take("a") > 0  # remembered, still empty
    assert len(limit) == 3
