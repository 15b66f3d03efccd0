"""SIGHUP with a hostile or half-applicable config: the agent lives on with the config
it has, says why in one line per problem (never a password), counts the refusal, and
says which settings wait for a restart."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from .helpers import AgentProcess, Metrics, Target, free_port, write_config

Launch = Callable[[Path, int], AgentProcess]
BOMB = Path(__file__).parents[1] / "config" / "testdata" / "invalid-alias-bomb.yaml"
RELOAD_OK = "slawatch_config_last_reload_successful"
REFUSED = "slawatch_config_reloads_refused_total"


def probes(metrics: Metrics, target: str = "web") -> float:
    return metrics.count("slawatch_probes_total", target=target)


def started(tmp_path: Path, target: Target, launch: Launch) -> tuple[AgentProcess, Path, int]:
    port = free_port()
    config = write_config(
        tmp_path / "agent.yaml",
        db=f"sqlite:///{tmp_path}/agent.db",
        port=port,
        targets={"web": target.url},
    )
    agent = launch(config, port)
    agent.wait_for(lambda m: probes(m) >= 1, "a probe of web")
    return agent, config, port


def refused(agent: AgentProcess, times: int) -> Metrics:
    agent.signal(signal.SIGHUP)
    metrics = agent.wait_for(lambda m: m.value(REFUSED) == times, f"refusal {times}", timeout=20)
    assert metrics.value(RELOAD_OK) == 0
    agent.wait_for(lambda m: probes(m) >= probes(metrics) + 2, "two more probes of web")
    return metrics


def test_an_alias_bomb_or_dev_zero_is_refused_and_the_agent_probes_on(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    agent, config, _ = started(tmp_path, target, launch)
    config.write_bytes(BOMB.read_bytes())  # 387 million values once expanded
    refused(agent, 1)
    config.unlink()
    config.symlink_to("/dev/zero")
    refused(agent, 2)
    log = agent.stop()
    assert "Traceback" not in log
    assert f"{config}:9: a7[0]: aliases repeat more than 10,000,000 values in all" in log
    assert f"{config}: not a regular file (a character device)" in log


def test_a_refused_database_url_is_logged_without_its_password(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    agent, config, _ = started(tmp_path, target, launch)
    text = config.read_text()
    config.write_text(text.replace("sqlite:///", "mysql://slawatch:hunter2@db/"))
    refused(agent, 1)
    log = agent.stop()
    assert "hunter2" not in log
    assert (
        f"{config}:1: database.url: must be a sqlite or postgresql URL (got mysql://slawatch:***@db/"
        in log
    )


def test_settings_taken_at_start_wait_for_a_restart_and_the_rest_applies(
    tmp_path: Path, target: Target, launch: Launch
) -> None:
    agent, config, port = started(tmp_path, target, launch)
    elsewhere = "postgresql+psycopg://slawatch:hunter2@127.0.0.1:1/sla"
    write_config(
        config,
        db=elsewhere,
        port=free_port(),
        targets={"web": target.url, "added": target.url},
        workers=2,
    )
    agent.signal(signal.SIGHUP)
    metrics = agent.wait_for(lambda m: probes(m, "added") >= 1, "a probe of added")  # old port
    assert (metrics.value(RELOAD_OK), metrics.value(REFUSED)) == (1, 0)
    assert metrics.value("slawatch_probe_workers") == 0  # still probing in the agent
    log = agent.stop()
    assert "hunter2" not in log
    for line in (
        f"database.url changed (sqlite:///{tmp_path}/agent.db -> postgresql+psycopg://slawatch:***@127.0.0.1:1/sla)",
        f"agent.listen changed (127.0.0.1:{port} -> 127.0.0.1:",
        "agent.workers changed (1 -> 2)",
    ):
        assert f"config reload: {line}" in log
    assert log.count("needs a restart of the agent; the rest of the config is applied") == 3
