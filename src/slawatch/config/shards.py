"""Which targets an agent probes when several agents share a location: ``agent.shard: I/N``.

Shards are numbered from 1 (``2/4`` is the second of four). A target belongs to one
shard, chosen by rendezvous hashing (highest random weight): each shard ``s`` gives
the target the weight ``sha256("s\\0name")`` read as a 64-bit number, and the shard
with the highest weight owns it. Why rendezvous, not ``hash mod n`` (Prometheus'
``hashmod``): with a modulo, going from 4 to 5 agents moves 80 % of the targets;
here it moves only those the new shard wins, about 1/5, and each of them moves to
the new shard (removing the last shard moves only its own targets). Why SHA-256:
Python's ``hash`` of a string changes from one process to the next, and every agent
of a location must agree on the owner. N is at most ``MAX_SHARDS``: N hashes a
target, ~1 µs each, at start and at each reload.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_SHARDS = 256
_SHARD_RE = re.compile(r"([0-9]+)/([0-9]+)")


def owner(name: str, count: int) -> int:
    """The shard (1..``count``) that probes target ``name``."""
    return max(range(1, count + 1), key=lambda shard: _weight(name, shard))


def _weight(name: str, shard: int) -> int:
    digest = hashlib.sha256(f"{shard}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based); ``1/1``, the default, owns every target."""

    index: int
    count: int

    def owns(self, name: str) -> bool:
        return self.count == 1 or owner(name, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/4"`` -> ``Shard(2, 4)``; ``ValueError`` says what is wrong with any other text."""
    found = _SHARD_RE.fullmatch(text.strip())
    if found is None:
        raise ValueError("must be I/N, this agent's shard I of N")
    index, count = int(found[1]), int(found[2])
    if not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"must have N in 1..{MAX_SHARDS} (I/N: shard I of N)")
    if not 1 <= index <= count:
        raise ValueError(f"must have I in 1..{count}: shards are numbered from 1 to N")
    return Shard(index, count)
