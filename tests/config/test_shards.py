"""``agent.shard: I/N``: each target to exactly one shard, by a hash every process agrees
on, and going from N to N+1 shards moves only the targets the new shard takes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.config import ConfigError, parse_config
from slawatch.config.shards import Shard, owner

names = st.text(st.characters(codec="utf-8"), max_size=40)
counts = st.integers(min_value=1, max_value=40)


def test_the_owner_is_fixed_for_ever() -> None:
    """SHA-256, never Python's per-process ``hash``: these never change, whatever the
    process or the Python version (agents of one location must agree)."""
    found = {
        name: owner(name, 4) for name in ("cegid-portal-web", "resolver", "t00", "acronis-api")
    }
    assert found == {"cegid-portal-web": 2, "resolver": 3, "t00": 2, "acronis-api": 1}


@given(name=names, count=counts)
def test_exactly_one_shard_owns_a_target(name: str, count: int) -> None:
    owning = [i for i in range(1, count + 1) if Shard(i, count).owns(name)]
    assert owning == [owner(name, count)]


@given(targets=st.lists(names, min_size=1, max_size=200, unique=True), count=counts)
def test_a_new_shard_takes_targets_and_no_other_target_moves(
    targets: list[str], count: int
) -> None:
    moved = {t: owner(t, count + 1) for t in targets if owner(t, count + 1) != owner(t, count)}
    assert set(moved.values()) <= {count + 1}


@given(targets=st.lists(names, min_size=1, max_size=200, unique=True), count=counts)
def test_removing_the_last_shard_moves_only_its_own_targets(targets: list[str], count: int) -> None:
    for target in targets:
        if owner(target, count + 1) != count + 1:
            assert owner(target, count) == owner(target, count + 1)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_the_new_shard_takes_about_its_share(count: int) -> None:
    """N -> N+1 moves ~1/(N+1) of the targets (a modulo would move N/(N+1)); and the
    shards get even shares. 10,000 names: the binomial spread is about 1 %."""
    targets = [f"target-{i}" for i in range(10_000)]
    moved = sum(owner(t, count + 1) != owner(t, count) for t in targets) / len(targets)
    assert moved == pytest.approx(1 / (count + 1), abs=0.02)
    shares = [
        sum(owner(t, count) == s for t in targets) / len(targets) for s in range(1, count + 1)
    ]
    assert max(shares) - min(shares) < 0.04


CONFIG = """agent: {shard: SHARD, control_targets: [resolver]}
targets:
  - {name: resolver, kind: dns, query_name: example.com}
""" + "".join(
    f'  - {{name: web-{i}, kind: http, url: "http://127.0.0.1/{i}"}}\n' for i in range(40)
)


def probed(shard: str) -> set[str]:
    return {t.name for t in parse_config(CONFIG.replace("SHARD", shard), "c.yaml").probed_targets()}


def test_shards_split_the_targets_and_each_probes_the_control_targets() -> None:
    shards = [probed(f"{i}/3") for i in (1, 2, 3)]
    assert all("resolver" in shard for shard in shards)
    others = [shard - {"resolver"} for shard in shards]
    assert sum(map(len, others)) == 40
    assert set.union(*others) == {f"web-{i}" for i in range(40)}
    assert all(others)  # 40 targets over 3 shards: none empty


def test_one_shard_of_one_is_the_default_and_probes_everything() -> None:
    config = parse_config(CONFIG.replace("shard: SHARD, ", ""), "c.yaml")
    assert config.agent.shard == Shard(1, 1)
    assert len(config.probed_targets()) == 41


@pytest.mark.parametrize(
    ("shard", "expected"),
    [
        ("5/4", "must have I in 1..4: shards are numbered from 1 to N (got 5/4; e.g. 2/4)"),
        ("0/4", "must have I in 1..4: shards are numbered from 1 to N (got 0/4; e.g. 2/4)"),
        ("1/0", "must have N in 1..256 (I/N: shard I of N) (got 1/0; e.g. 2/4)"),
        ("1/257", "must have N in 1..256 (I/N: shard I of N) (got 1/257; e.g. 2/4)"),
        ("two", "must be I/N, this agent's shard I of N (got two; e.g. 2/4)"),
        ("2", "must be I/N, this agent's shard I of N (got 2; e.g. 2/4)"),
        ("-1/4", "must be I/N, this agent's shard I of N (got -1/4; e.g. 2/4)"),
    ],
)
def test_a_bad_shard_names_its_line(shard: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(CONFIG.replace("SHARD", shard), "c.yaml")
    assert str(caught.value) == f"c.yaml:1: agent.shard: {expected}"
