"""Limits on what a client may send the web side: a JSON body that is one object of bounded
nesting, and, on the public routes, a token bucket of requests per client address."""

from __future__ import annotations

import ipaddress
import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

# No update of Telegram or Zalo nests more than a dozen levels (an update, its message, the
# message it replies to, that one's entities...). Python's parser recurses once per level, so
# the bound is checked before parsing: 100,000 brackets would otherwise raise RecursionError.
MAX_JSON_DEPTH = 64

# What the depth count must not see: strings (their brackets are text) and everything that is
# not a bracket. A string left unterminated runs to the end, where the parser stops anyway;
# the possessive loop never backtracks, so a body of many quotes is scanned once, not once per
# quote.
_NOT_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)|[^"\[\]{}]++', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__

# Public clients remembered at once. A bucket is a few hundred bytes: 10,000 are a few MB,
# and an address set flooding with more only pushes out the longest-quiet ones.
MAX_CLIENTS = 10_000


class BadBody(ValueError):
    """A body that is not one JSON object; the message is the short reason told the client."""


def nesting(text: str) -> int:
    """How deep the arrays and objects of ``text`` nest, counted without recursion (at least
    as deep as a JSON parser would go before it stops at an error)."""
    brackets = _NOT_NESTING.sub("", text)
    return max(accumulate(map(_STEP, brackets)), default=0)


def json_object(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("not UTF-8") from None
    if nesting(text) > max_depth:
        raise BadBody("nested too deep")
    try:
        value = json.loads(text)
    except ValueError:
        # JSONDecodeError, and also a number of more digits than Python converts.
        raise BadBody("not JSON") from None
    if not isinstance(value, dict):
        raise BadBody("not a JSON object")
    return value


def client_address(peer: str | None, forwarded_for: str | None, *, trust_forwarded: bool) -> str:
    """Whom a request counts against.

    Behind a reverse proxy every request comes from the proxy, so the client is the last
    address of X-Forwarded-For: the one the proxy itself added. Addresses to its left are what
    the client claimed and could be anything. Without a proxy the header is the client's own
    words, so it is read only when ``trust_forwarded``.

    An IPv6 client is counted by its /64: one subscriber is usually given a whole /64, and
    counting each of its 2**64 addresses apart would give each a fresh bucket.
    """
    if trust_forwarded and forwarded_for:
        added_by_the_proxy = _counted(forwarded_for.rsplit(",", 1)[-1].strip())
        if added_by_the_proxy is not None:
            return added_by_the_proxy
    return _counted(peer or "") or peer or "unknown"


def _counted(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class _Bucket:
    tokens: float
    at: float


class ClientRateLimit:
    """A token bucket per client: ``burst`` requests at once, then ``per_minute`` a minute.

    Memory stays bounded two ways: a client quiet long enough for its bucket to be full again
    is forgotten (meeting it again gives the same full bucket, so nothing is lost), and past
    ``max_clients`` the longest-quiet client is forgotten even before that.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        max_clients: int = MAX_CLIENTS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_second = per_minute / 60.0
        self._burst = float(burst)
        self._full_after = self._burst / self._per_second
        self._max_clients = max_clients
        self._monotonic = monotonic
        # Least recently seen first: forgetting takes from the front.
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """Spend one of ``client``'s requests: 0 when it had one, else the seconds until it
        has one again."""
        now = self._monotonic()
        self._forget_the_full(now)
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            if len(self._buckets) >= self._max_clients:
                self._buckets.popitem(last=False)
            bucket = _Bucket(self._burst, now)
        else:
            refilled = bucket.tokens + (now - bucket.at) * self._per_second
            bucket.tokens, bucket.at = min(self._burst, refilled), now
        self._buckets[client] = bucket
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._per_second

    def _forget_the_full(self, now: float) -> None:
        while self._buckets:
            quietest = next(iter(self._buckets.values()))
            if now - quietest.at < self._full_after:
                return
            self._buckets.popitem(last=False)
