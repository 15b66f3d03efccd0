"""Two agents of one shard on one PostgreSQL database, as real processes: both probe,
the store keeps one sample per target and instant, one of them leads (exports the
SLA series), and when the leader is killed -9 the other leads within 15 s, its
counters carrying on from where the old leader's were."""

import json
import time
import urllib.request
from pathlib import Path

import pytest

from agent.helpers import AgentProcess, Metrics, Target, free_port, wait_until, write_config
from slawatch.store.store import Store

LEADER = "slawatch_agent_leader"
REFERENCE = "slawatch_sla_reference_seconds_total"
WRITTEN = "slawatch_samples_written_total"
TARGETS = ("web-1", "web-2", "web-3")


def start(folder: Path, db: str, url: str) -> AgentProcess:
    folder.mkdir()
    port = free_port()
    targets = {name: f"{url}{name}" for name in TARGETS}
    config = write_config(folder / "agent.yaml", db=db, port=port, targets=targets)
    return AgentProcess(config, port, folder / "agent.log")


def health(agent: AgentProcess) -> dict[str, object]:
    url = f"http://127.0.0.1:{agent.port}/healthz"
    with urllib.request.urlopen(url, timeout=5) as answer:
        found: dict[str, object] = json.load(answer)
        return found


def leaders(agents: list[AgentProcess]) -> list[AgentProcess]:
    return [a for a in agents if a.scrape().value(LEADER) == 1]


@pytest.mark.postgres
def test_one_leads_and_the_other_takes_over_when_it_is_killed(tmp_path: Path, pg_url: str) -> None:
    target = Target()
    agents = [start(tmp_path / name, pg_url, target.url) for name in ("a", "b")]
    try:
        wait_until(lambda: len(leaders(agents)) == 1, "one leader", timeout=30)
        (leader,) = leaders(agents)
        (follower,) = [a for a in agents if a is not leader]
        for agent in agents:
            agent.wait_for(lambda m: m.value(WRITTEN) >= 15, "samples written", timeout=30)
        assert follower.scrape().count(REFERENCE) == 0  # the leader alone exports them
        assert [health(a)["leader"] for a in (leader, follower)] == [True, False]
        before = leader.wait_for(lambda m: m.count(REFERENCE) > 0, "the SLA series")
        killed_at = time.monotonic()
        leader.kill()  # SIGKILL: its session dies with it, and the lock with the session
        after = follower.wait_for(lambda m: m.value(LEADER) == 1, "the take-over", timeout=15)
        took = time.monotonic() - killed_at
        gained = after.value(REFERENCE) - before.value(REFERENCE)
        assert 0 <= gained <= took + 2  # no reset, no gap beyond a scrape
        check_one_sample_per_instant(pg_url, both_wrote=[before, after])
    finally:
        for agent in agents:
            agent.kill()
        target.close()


def check_one_sample_per_instant(db: str, both_wrote: list[Metrics]) -> None:
    """Both agents wrote every target's samples, each at its scheduled instant: the
    store holds about one a second per target, not two."""
    with Store.open(db) as store:
        for name in TARGETS:
            stamps = [row.ts_ms for row in store.samples(name, 0, 2**62)]
            span = (max(stamps) - min(stamps)) / 1000
            assert len(stamps) <= span * 1.2 + 2, (name, len(stamps), span)
    assert sum(m.value(WRITTEN) for m in both_wrote) >= 30
