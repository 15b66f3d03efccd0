"""Reading files and looking names up: failures are ConfigError or LookupError, never a traceback."""

import os
import pickle
import time
from decimal import Decimal
from pathlib import Path

import pytest

from slawatch.app.evaluate import Probing
from slawatch.config import (
    Config,
    ConfigError,
    Problem,
    UnknownNameError,
    load_config,
    parse_config,
)
from slawatch.config.targets import TcpTarget
from slawatch.config.values import MAX_BYTES

SEED = Path(__file__).parents[2] / "config" / "seed-contracts.yaml"


def message(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.yaml")
    return str(caught.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a regular file (a directory)"


def test_a_device_is_refused_without_reading_it() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("/dev/zero")  # endless: read, it would fill the memory
    assert str(caught.value) == "/dev/zero: not a regular file (a character device)"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_config(fifo)
    assert time.monotonic() - started < 5
    assert str(caught.value) == f"{fifo}: not a regular file (a FIFO)"


def test_a_file_over_64_mib_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: nothing written
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: too big (67,108,865 bytes): a config file may hold 64 MiB"
    )


def test_a_file_of_64_mib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = SEED.read_bytes()
    path.write_bytes(text + b"#" * (MAX_BYTES - len(text)))
    assert len(load_config(path).contracts) == len(load_config(SEED).contracts)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("targets:\n  - name: smileo\n    description: SMIL\u00c9O\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:3: not UTF-8 text"


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes())
    assert len(load_config(path).contracts) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- targets\n", "c.yaml:1: must be a mapping (key: value)"),
        ("# nothing but a comment\n", "c.yaml:1: the file is empty (e.g. start with targets:)"),
        ("contracts: []\n", "c.yaml:1: targets: required key missing"),
        ("targets: []\n", "c.yaml:1: targets: must not be empty"),
        (
            "targets:\n  - {name: web, kind: tcp, host: 'db.example:5432', port: 5432}\n",
            "c.yaml:2: targets[0].host: must be a host name or IP address, without scheme or port (got db.example:5432; e.g. db.example.com)",
        ),
        (
            "targets:\n  - {name: web, kind: heartbeat, timeout: 5s}\n",
            "c.yaml:2: targets[0].timeout: unknown key (valid keys here: name, interval, confirm_after, locations, kind, grace)",
        ),
    ],
    ids=[
        "list-at-top",
        "comment-only",
        "no-targets",
        "empty-targets",
        "host-with-port",
        "heartbeat-has-no-timeout",
    ],
)
def test_whole_file_and_probe_kind_problems(text: str, expected: str) -> None:
    assert message(text) == expected


def test_probe_settings_reach_the_model() -> None:
    config = parse_config(
        "targets:\n"
        "  - {name: db, kind: tcp, host: '::1', port: 5432, timeout: 500ms, degraded_above: 250ms}\n"
        "  - {name: job, kind: heartbeat, interval: 1d, confirm_after: 1}\n"
    )
    db, job = config.targets
    assert isinstance(db, TcpTarget)
    assert (db.kind, db.timeout_ms, db.timeline_rule().degraded_above_ms) == ("tcp", 500, 250.0)
    assert (job.kind, job.timeline_rule().interval, job.timeline_rule().confirm_after) == (
        "heartbeat",
        86_400,
        1,
    )


def test_lookups_list_the_known_names() -> None:
    config: Config = load_config(SEED)
    assert config.contract("ipfolio").name == "ipfolio"
    assert config.target("smileo-s3").name == "smileo-s3"
    with pytest.raises(LookupError) as caught:
        config.contract("ipfollio")
    assert (
        str(caught.value)
        == "unknown contract 'ipfollio' (did you mean 'ipfolio'? known: acronis-cyber-protect, cegid-portal, ipfolio, smileo-backup)"
    )
    with pytest.raises(UnknownNameError) as unknown:
        config.target("zabbix")
    assert (
        str(unknown.value)
        == "unknown target 'zabbix' (known: cegid-portal-web, ipfolio-app, smileo-gateway, smileo-s3)"
    )
    assert unknown.value.known == ("cegid-portal-web", "ipfolio-app", "smileo-gateway", "smileo-s3")


def test_readers_name_the_contracts_over_each_target_and_all_for_a_control_target() -> None:
    config = parse_config(
        """
agent: {control_targets: [gateway]}
targets:
  - {name: gateway, kind: http, url: "http://127.0.0.1:8/", interval: 60s}
  - {name: web, kind: http, url: "http://127.0.0.1:9/", interval: 60s}
  - {name: spare, kind: http, url: "http://127.0.0.1:9/", interval: 60s}
contracts:
  - {name: a, service: {targets: [web]}, timezone: UTC, period: month, target: 99}
  - {name: b, service: {targets: [web]}, timezone: UTC, period: month, target: 99}
"""
    )
    # "spare", which no contract reads, is left out (an agent holds this for its life)
    assert config.readers() == {"gateway": ("a", "b"), "web": ("a", "b")}
    assert Probing.of(config).intervals == {"gateway": 60, "web": 60}


def test_a_problem_without_a_file_reads_as_its_message() -> None:
    error = ConfigError(
        ["no config given", Problem("c.yaml", None, "", "cannot read: Permission denied")]
    )
    assert str(error) == "no config given\nc.yaml: cannot read: Permission denied"
    assert isinstance(error, ValueError)


def test_the_config_is_frozen() -> None:
    config = load_config(SEED)
    with pytest.raises(ValueError, match="frozen"):
        config.contracts[0].target = Decimal(50)


WEB = "targets:\n  - {name: web, kind: http, url: 'https://portal.example/'}\n"


def test_one_process_probes_unless_told() -> None:
    assert parse_config(WEB, "c.yaml").agent.workers == 1
    assert parse_config("agent: {workers: 2}\n" + WEB, "c.yaml").agent.workers == 2


@pytest.mark.parametrize(
    ("workers", "expected"),
    [
        ("0", "must be greater than or equal to 1 (got 0; e.g. 2)"),
        ("65", "must be less than or equal to 64 (got 65; e.g. 2)"),
        ("two", "must be a valid integer (got two; e.g. 2)"),
        ("true", "must be a valid integer (got true; e.g. 2)"),
        ("1.5", "must be a valid integer (got 1.5; e.g. 2)"),
    ],
)
def test_workers_is_a_count_of_processes(workers: str, expected: str) -> None:
    assert (
        message(f"agent: {{workers: {workers}}}\n" + WEB) == f"c.yaml:1: agent.workers: {expected}"
    )


def test_the_spool_sits_next_to_the_database_unless_told() -> None:
    agent = parse_config(WEB, "c.yaml").agent
    assert (agent.spool_dir, agent.spool_max_bytes) == (None, 1 << 30)
    told = parse_config("agent: {spool_dir: /var/spool/sw, spool_max_bytes: 1048576}\n" + WEB)
    assert (str(told.agent.spool_dir), told.agent.spool_max_bytes) == ("/var/spool/sw", 1 << 20)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("1000", "must be greater than or equal to 1048576 (got 1000; e.g. 1073741824)"),
        ("1GiB", "must be a valid integer (got 1GiB; e.g. 1073741824)"),
    ],
)
def test_the_spool_size_is_bytes_one_mib_at_least(size: str, expected: str) -> None:
    assert (
        message(f"agent: {{spool_max_bytes: {size}}}\n" + WEB)
        == f"c.yaml:1: agent.spool_max_bytes: {expected}"
    )


def test_targets_given_the_same_keys_share_one_fields_set_and_copies_do_not() -> None:
    """50,000 targets hold one set of their given keys (memory, issue 14); pickled to a
    probe worker they still share it; a copy with changes gets its own."""
    config = parse_config(
        "targets:\n"
        "  - {name: a, kind: http, url: 'http://a.example/', interval: 30s}\n"
        "  - {name: b, kind: http, url: 'http://b.example/', interval: 60s}\n"
        "  - {name: c, kind: http, url: 'http://c.example/'}\n",
        "c.yaml",
    )
    a, b, c = config.targets
    assert a.model_fields_set is b.model_fields_set
    assert c.model_fields_set == {"name", "kind", "url"}
    changed = c.model_copy(update={"interval": 5})
    assert changed.model_fields_set == {"name", "kind", "url", "interval"}
    assert c.model_fields_set == {"name", "kind", "url"}
    assert a.model_fields_set == {"name", "kind", "url", "interval"}
    shipped_a, shipped_b = pickle.loads(pickle.dumps([a, b]))
    assert shipped_a.model_fields_set is shipped_b.model_fields_set
    assert shipped_a == a
