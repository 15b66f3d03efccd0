"""The HTTP API end to end: a real server on 127.0.0.1 over SQLite and PostgreSQL, a
known history, the API's clock injected; answers compared with what the CLI says."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client import CollectorRegistry

from slawatch.agent.http.api import Api
from slawatch.agent.http.routing import SPEC
from slawatch.agent.http.server import AgentServer
from slawatch.cli import main
from slawatch.config import Config, load_config
from slawatch.store.store import SampleRow, Store

from .api_setup import NOW, TOKENS, load_history, utc, write_config

OPS = {"Authorization": f"Bearer {TOKENS['TEST_OPS_TOKEN']}"}
CI = {"Authorization": f"Bearer {TOKENS['TEST_CI_TOKEN']}"}
V1 = "/api/v1"


class Agent:
    """An API server on 127.0.0.1 over ``db_url``, and what the test needs beside it."""

    def __init__(
        self,
        config_path: Path,
        db_url: str,
        config: Callable[[], Config],
        environ: Mapping[str, str],
    ) -> None:
        self.config_path = config_path
        self.db_url = db_url
        self.now = float(NOW)
        self.store = Store.open(db_url)
        api = Api(config, self.store, lambda: self.now, environ)
        self.server = AgentServer(
            "127.0.0.1:0", CollectorRegistry(), lambda: (True, {}), lambda _: False, api
        )
        self.server.start()
        # A yearly PDF takes seconds on a loaded machine: httpx's 5 s default is a flake.
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.server.port}{V1}", timeout=60.0)

    def close(self) -> None:
        self.http.close()
        self.server.close()
        self.store.close()

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(
        self, path: str, body: object = None, headers: Mapping[str, str] = OPS
    ) -> httpx.Response:
        return self.http.post(path, json=body, headers=dict(headers))

    def cli_report(self, *args: str) -> str:
        result = CliRunner().invoke(
            main, ["report", "-c", str(self.config_path), "--db", self.db_url, *args]
        )
        assert result.exit_code == 0, result.output
        return result.stdout


@pytest.fixture
def start(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Agent]]:
    """Starts API servers over one database holding the test history."""
    config_path = write_config(tmp_path / "agent.yaml", db_url)
    load_history(db_url, config_path)
    config = load_config(config_path)
    started: list[Agent] = []

    def launch(
        environ: Mapping[str, str] = TOKENS, config_source: Callable[[], Config] = lambda: config
    ) -> Agent:
        started.append(Agent(config_path, db_url, config_source, environ))
        return started[-1]

    yield launch
    for agent in started:
        agent.close()


@pytest.fixture
def agent(start: Callable[..., Agent]) -> Agent:
    return start()


def error(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    assert response.headers["content-type"] == "application/json", response.text
    return response.status_code, response.json()


def test_contracts_and_their_terms(agent: Agent) -> None:
    names = [c["name"] for c in agent.get("/contracts").json()["contracts"]]
    assert names == ["web-sla", "office"]
    office = agent.get("/contracts/office").json()
    assert office["reference"] == {
        "windows": ["mon-fri 08:00-18:00"],
        "holidays": {"country": "FR", "subdiv": None},
    }
    assert office["maintenance"] == {
        "notice_seconds": 48 * 3600,
        "emergency_qualifies": False,
        "late_notice": "counts",
        "windows": ["sat,sun 00:00-24:00"],
    }
    web = agent.get("/contracts/web-sla").json()
    assert web["credits"] == {
        "basis": "downtime_minutes",
        "tiers": ["<= 30 min down: 0 %", "more: 10 %"],
    }
    assert (web["fee"], web["target_percent"], web["period"]) == (
        {"amount": "1000", "currency": "EUR"},
        99.9,
        {"kind": "month", "anchor": None},
    )


def test_a_contract_shows_its_support_terms(agent: Agent) -> None:
    assert agent.get("/contracts/web-sla").json()["support"] is None
    assert agent.get("/contracts/office").json()["support"] == {
        "start_date": "2026-01-01",
        "time_zone": "Europe/Paris",
        "calendar": ["mon-fri 09:00-17:00"],
        "holidays": "FR",
        "priorities": ["p1", "p2"],
        "targets": [
            {
                "name": "response",
                "start": "opened",
                "stop": "responded",
                "priorities": ["p1", "p2"],
                "allowance": "4h of business time",
                "allowance_kind": "business_time",
                "allowance_amount": 4 * 3600,
            }
        ],
        "objectives": [
            {
                "name": "share",
                "target": "response",
                "threshold_percent": 90.0,
                "period": {"kind": "month", "anchor": None},
            }
        ],
        "clauses": {},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/contracts/web-shop",
        "/contracts/web-shop/status",
        "/contracts/web-shop/reports/2026-10",
        "/contracts/web-shop/maintenance",
        "/contracts/web-shop/exclusions",
        "/contracts/web-shop/claims",
    ],
)
def test_an_unknown_contract_is_404_naming_the_known_ones(agent: Agent, path: str) -> None:
    assert error(agent.get(path)) == (
        404,
        {
            "error": "unknown contract 'web-shop' (did you mean 'web-sla'? known: licence, office, web-sla)",
            "field": "contract",
        },
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_a_report_is_the_cli_report(agent: Agent, fmt: str) -> None:
    as_of = "2026-10-10T00:00:00+02:00"
    answer = agent.get("/contracts/office/reports/2026-10", format=fmt, as_of=as_of)
    expected = agent.cli_report(
        "--contract", "office", "--period", "2026-10", "--format", fmt, "--as-of", as_of
    )
    assert answer.status_code == 200
    assert answer.text == expected


@pytest.mark.parametrize(
    ("fmt", "media_type", "magic"),
    [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK\x03\x04",
        ),
        ("pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_binary_reports_come_as_files(
    agent: Agent, fmt: str, media_type: str, magic: bytes
) -> None:
    answer = agent.get("/contracts/web-sla/reports/2026", format=fmt)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert answer.headers["content-disposition"] == f'attachment; filename="web-sla-2026.{fmt}"'
    assert answer.content.startswith(magic)


def test_a_closed_period_is_served_frozen_as_the_cli_shows_it(agent: Agent) -> None:
    closed = CliRunner().invoke(
        main,
        [
            *("period", "close", "-c", str(agent.config_path), "--db", agent.db_url),
            *("--contract", "office", "--period", "2026-09", "--author", "am"),
        ],
    )
    assert closed.exit_code == 0, closed.output
    answer = agent.get("/contracts/office/reports/2026-09")
    assert answer.status_code == 200
    assert answer.json()["closed"]["by"] == "am"
    assert answer.text == agent.cli_report("--contract", "office", "--period", "2026-09")
    refused = agent.get("/contracts/office/reports/2026-09", as_of="2026-09-10T00:00:00Z")
    assert refused.status_code == 400
    assert refused.json()["field"] == "as_of"


def test_a_report_without_as_of_is_assessed_up_to_now(agent: Agent) -> None:
    report = agent.get("/contracts/web-sla/reports/2026-10").json()
    assert report["as_of"] == "2026-10-19T12:00:00+00:00" and not report["complete"]
    assert report["downtime_seconds"] == 45 * 60
    assert report["reference_seconds"] == NOW - utc("2026-10-01T00:00:00")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "2026-13"}, "period", "period '2026-13': month must be 01..12"),
        ({"period": "26-10"}, "period", 'period must match ^[0-9]{4}(-[0-9]{2})?$ (got "26-10")'),
        (
            {"as_of": "yesterday"},
            "as_of",
            "as_of: 'yesterday' is not an ISO 8601 instant (e.g. 2026-10-01T08:00:00+02:00)",
        ),
        (
            {"as_of": "1500-01-01T00:00:00Z"},
            "as_of",
            "as_of: '1500-01-01T00:00:00Z' is outside the years 1970..9998",
        ),
        (
            {"format": "docx"},
            "format",
            'format must be one of json, csv, xlsx, pdf, html (got "docx")',
        ),
        ({"asof": "2026-10-10"}, "asof", "unknown query parameter 'asof'"),
    ],
    ids=["month-13", "bad-label", "bad-instant", "instant-out-of-range", "bad-format", "typo"],
)
def test_bad_report_requests_are_400_naming_the_field(
    agent: Agent, query: dict[str, str], field: str, message: str
) -> None:
    params = {name: value for name, value in query.items() if name != "period"}
    answer = agent.get(f"/contracts/web-sla/reports/{query.get('period', '2026-10')}", **params)
    assert error(answer) == (400, {"error": message, "field": field})


def test_a_targets_state_combines_its_locations(agent: Agent) -> None:
    # Two more locations see web fail for the last 15 minutes: 2 of 3 (a majority).
    rules = load_config(agent.config_path).timeline_rules()
    failing = [
        SampleRow("web", (NOW - 900 + 300 * i) * 1000, False, location=place)
        for i in range(4)
        for place in ("paris", "nyc")
    ]
    agent.store.import_samples([failing], rules)
    web = agent.get("/status").json()["targets"][0]
    assert web == {"name": "web", "state": "down", "since": "2026-10-19T11:45:00+00:00"}
    paris = [row._replace(target="office-web") for row in failing if row.location == "paris"]
    agent.store.import_samples([paris], rules)
    office = agent.get("/status").json()["targets"][1]  # 1 of 2 down: a majority is 2
    assert office == {"name": "office-web", "state": "up", "since": "2026-10-19T11:45:00+00:00"}


def test_an_instant_may_keep_its_plus_sign_unencoded(agent: Agent) -> None:
    answer = agent.http.get("/contracts/office/reports/2026-10?as_of=2026-10-10T00:00:00+02:00")
    assert answer.json()["as_of"] == "2026-10-10T00:00:00+02:00"


def test_status_is_the_current_period_so_far(agent: Agent) -> None:
    status = agent.get("/status").json()
    assert status["as_of"] == "2026-10-19T12:00:00+00:00"
    assert status["targets"] == [
        {"name": "web", "state": "up", "since": "2026-10-05T10:45:00+00:00"},
        {"name": "office-web", "state": "up", "since": "2026-10-01T00:00:00+00:00"},
    ]
    web = status["contracts"][0]
    report = agent.get("/contracts/web-sla/reports/2026-10").json()
    assert {
        k: web[k] for k in ("period", "availability_percent", "met", "tier", "credit_percent")
    } == {k: report[k] for k in ("period", "availability_percent", "met", "tier", "credit_percent")}
    assert (web["met"], web["tier"], web["credit_amount"], web["outages"]) == (
        False,
        "<= 30 min down: 0 %",
        0.0,
        1,
    )
    assert agent.get("/contracts/web-sla/status").json() == web


def test_status_shows_what_is_open_now(agent: Agent) -> None:
    window = {"start": "2026-10-19T11:00Z", "end": "2026-10-19T13:00Z", "kind": "emergency"}
    assert agent.post("/contracts/web-sla/maintenance", window).status_code == 201
    excluded = {
        "start": "2026-10-19T11:30Z",
        "end": "2026-10-19T12:30Z",
        "reason": "third_party",
        "note": "CDN",
    }
    assert agent.post("/contracts/web-sla/exclusions", excluded).status_code == 201
    web = agent.get("/contracts/web-sla/status").json()
    assert [(m["id"], m["qualifies"], m["why_not"]) for m in web["maintenance"]] == [
        (1, False, "emergency maintenance is not excluded")
    ]
    assert [(x["id"], x["note"]) for x in web["exclusions"]] == [(1, "CDN")]
    assert agent.get("/contracts/office/status").json()["recurring_maintenance"] is None
    agent.now = utc("2026-10-17T12:00:00")  # a Saturday
    assert agent.get("/contracts/office/status").json()["recurring_maintenance"] == {
        "start": "2026-10-17T00:00:00+02:00",
        "end": "2026-10-19T00:00:00+02:00",
    }


def test_without_a_token_writes_are_403_and_reads_work(start: Callable[..., Agent]) -> None:
    agent = start(environ={})
    body = {"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z", "kind": "planned"}
    assert error(agent.post("/contracts/web-sla/maintenance", body)) == (
        403,
        {
            "error": "writes are disabled: no API token is set (TEST_OPS_TOKEN, TEST_CI_TOKEN)",
            "field": None,
        },
    )
    assert agent.get("/contracts/web-sla/maintenance").json() == {"maintenance": []}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "writes need the header Authorization: Bearer TOKEN"),
        (
            {"Authorization": f"Basic {TOKENS['TEST_OPS_TOKEN']}"},
            "writes need the header Authorization: Bearer TOKEN",
        ),
        (
            {"Authorization": "Bearer ops-secret-tokeN"},
            "the bearer token is not one of the agent's API tokens",
        ),
        (
            {"Authorization": "Bearer ops-secret-token-and-more"},
            "the bearer token is not one of the agent's API tokens",
        ),
    ],
    ids=["none", "basic", "one-letter-off", "longer"],
)
def test_a_missing_or_wrong_token_is_401(
    agent: Agent, headers: dict[str, str], message: str
) -> None:
    body = {"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z", "kind": "planned"}
    answer = agent.post("/contracts/web-sla/maintenance", body, headers)
    assert error(answer) == (401, {"error": message, "field": None})
    assert answer.headers["www-authenticate"] == 'Bearer realm="slawatch"'
    assert agent.store.audit_log() == []


def test_every_write_is_audited_under_its_tokens_name(agent: Agent) -> None:
    body = {
        "start": "2026-10-22T10:00",
        "end": "2026-10-22T11:00",
        "kind": "planned",
        "note": "kernel",
    }
    created = agent.post("/contracts/office/maintenance", body, OPS)
    assert created.status_code == 201
    assert created.json() | {"created_at": None} == {
        "id": 1,
        "contract": "office",
        "start": "2026-10-22T10:00:00+02:00",
        "end": "2026-10-22T11:00:00+02:00",
        "kind": "planned",
        "declared_at": "2026-10-19T14:00:00+02:00",
        "note": "kernel",
        "author": "ops",
        "created_at": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "qualifies": True,
        "why_not": None,
    }
    assert (
        agent.post("/contracts/office/maintenance/1/cancel", None, CI).json()["cancelled_by"]
        == "ci"
    )
    audit = agent.get("/audit", contract="office").json()["audit"]
    assert [(a["actor"], a["action"], a["entity_id"]) for a in audit] == [
        ("ops", "maintenance.add", 1),
        ("ci", "maintenance.cancel", 1),
    ]
    assert audit[0]["detail"]["start_ts"] == utc("2026-10-22T08:00:00")
    assert [(a.actor, a.action) for a in agent.store.audit_log()] == [
        ("ops", "maintenance.add"),
        ("ci", "maintenance.cancel"),
    ]


def test_late_notice_is_told_at_once(agent: Agent) -> None:
    body = {"start": "2026-10-20T10:00", "end": "2026-10-20T11:00", "kind": "planned"}
    created = agent.post("/contracts/office/maintenance", body).json()
    assert (created["qualifies"], created["why_not"]) == (
        False,
        "declared 20 h before it opened, contract requires 48 h notice",
    )


def test_a_record_is_retired_once_and_only_in_its_contract(agent: Agent) -> None:
    body = {
        "start": "2026-10-17T22:00",
        "end": "2026-10-18T01:00",
        "reason": "force_majeure",
        "note": "power cut",
    }
    assert agent.post("/contracts/office/exclusions", body).json()["id"] == 1
    assert error(agent.post("/contracts/web-sla/exclusions/1/revoke")) == (
        404,
        {"error": "web-sla has no exclusion #1", "field": "id"},
    )
    assert agent.post("/contracts/office/exclusions/1/revoke").json()["revoked_by"] == "ops"
    assert error(agent.post("/contracts/office/exclusions/1/revoke")) == (
        409,
        {"error": "exclusion #1 was already revoked by ops", "field": "id"},
    )
    assert agent.get("/contracts/office/exclusions").json() == {"exclusions": []}
    assert [
        x["id"] for x in agent.get("/contracts/office/exclusions", all="true").json()["exclusions"]
    ] == [1]
    assert error(agent.post("/contracts/office/maintenance/99/cancel")) == (
        404,
        {"error": "office has no maintenance #99", "field": "id"},
    )


def test_a_claim_needs_an_outage_and_then_moves_the_credit(agent: Agent) -> None:
    assert error(
        agent.post("/contracts/web-sla/claims", {"at": "2026-10-07T11:00Z", "ticket": "T-1"})
    ) == (
        422,
        {"error": "no outage of web-sla covers 2026-10-07T11:00Z: nothing to claim", "field": "at"},
    )
    before = agent.get("/contracts/web-sla/reports/2026-10", as_of="2026-11-01T00:00Z").json()
    claimed = agent.post("/contracts/web-sla/claims", {"at": "2026-10-05T10:20Z", "ticket": "T-2"})
    assert claimed.status_code == 201 and claimed.json()["ticket"] == "T-2"
    after = agent.get("/contracts/web-sla/reports/2026-10", as_of="2026-11-01T00:00Z").json()
    assert (before["credit_amount"], after["credit_amount"], after["currency"]) == (
        0.0,
        100.0,
        "EUR",
    )
    assert [c["ticket"] for c in agent.get("/contracts/web-sla/claims").json()["claims"]] == ["T-2"]


GOOD = {"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z", "kind": "planned"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "expected"),
    [
        (
            GOOD | {"end": "2026-10-20T09:00Z"},
            "application/json",
            400,
            ("end (2026-10-20T09:00Z) must be after start (2026-10-20T10:00Z)", "end"),
        ),
        (
            GOOD | {"start": "tomorrow"},
            "application/json",
            400,
            (
                "start: 'tomorrow' is not an ISO 8601 instant (e.g. 2026-10-01T08:00:00+02:00)",
                "start",
            ),
        ),
        (
            GOOD | {"kind": "unplanned"},
            "application/json",
            400,
            ('kind must be one of planned, emergency (got "unplanned")', "kind"),
        ),
        (GOOD | {"note": 42}, "application/json", 400, ("note must be a string (got 42)", "note")),
        (
            GOOD | {"note": "a\u0000b"},
            "application/json",
            400,
            ('note must match ^[^\\u0000]*$ (got "a\\u0000b")', "note"),
        ),
        (
            GOOD | {"colour": "red"},
            "application/json",
            400,
            ("unknown key 'colour' (known: start, end, kind, declared_at, note)", "colour"),
        ),
        (
            {"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z"},
            "application/json",
            400,
            ("kind is required", "kind"),
        ),
        ([GOOD], "application/json", 400, ("the body must be a JSON object", None)),
        ("{", "application/json", 400, ("the body is not valid JSON (UTF-8)", None)),
        (GOOD, "text/plain", 415, ("the body must be application/json (got text/plain)", None)),
        (
            {"note": "x" * 70_000} | GOOD,
            "application/json",
            413,
            ("the body must be at most 65536 bytes", None),
        ),
    ],
    ids=[
        "end-before-start",
        "bad-instant",
        "bad-kind",
        "wrong-type",
        "nul",
        "unknown-key",
        "missing-key",
        "not-an-object",
        "not-json",
        "not-declared-json",
        "too-large",
    ],
)
def test_a_rejected_write_changes_nothing(
    agent: Agent, body: object, content_type: str, status: int, expected: tuple[str, str | None]
) -> None:
    content = body if isinstance(body, str) else json.dumps(body)
    answer = agent.http.post(
        "/contracts/web-sla/maintenance",
        content=content.encode(),
        headers={**OPS, "Content-Type": content_type},
    )
    assert error(answer) == (status, {"error": expected[0], "field": expected[1]})
    assert agent.store.list_maintenance(None, True) == [] and agent.store.audit_log() == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z", "kind": "planned", '
            '"note": "a\\ud800"}',
            ("note must be valid Unicode text", "note"),
        ),
        (
            '{"start": "2026-10-20T10:00Z", "end": "2026-10-20T11:00Z", "kind": true}',
            ("kind must be one of planned, emergency (got true)", "kind"),
        ),
        (
            '{"start": 1, "end": "2026-10-20T11:00Z", "kind": "planned"}',
            ("start must be a string (got 1)", "start"),
        ),
    ],
    ids=["lone-surrogate", "bool-for-enum", "number-for-instant"],
)
def test_a_body_the_models_refuse_is_named_in_one_line(
    agent: Agent, content: str, expected: tuple[str, str]
) -> None:
    """What the pydantic models refuse is answered as the API's own 400 lines."""
    answer = agent.http.post(
        "/contracts/web-sla/maintenance",
        content=content.encode(),
        headers={**OPS, "Content-Type": "application/json"},
    )
    assert error(answer) == (400, {"error": expected[0], "field": expected[1]})
    assert agent.store.list_maintenance(None, True) == []


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/api/v1/nowhere", 404, None),
        ("GET", "/api/v2/contracts", 404, None),
        ("PUT", "/api/v1/contracts", 405, "GET"),
        ("DELETE", "/api/v1/contracts/web-sla/maintenance/1", 404, None),
        ("DELETE", "/api/v1/contracts/web-sla/maintenance", 405, "GET, POST"),
        ("OPTIONS", "/api/v1/contracts/web-sla/maintenance", 204, "GET, POST, OPTIONS"),
        ("POST", "/metrics", 405, "GET"),
    ],
)
def test_paths_and_methods(
    agent: Agent, method: str, path: str, status: int, allow: str | None
) -> None:
    answer = agent.http.request(method, f"http://127.0.0.1:{agent.server.port}{path}")
    assert (answer.status_code, answer.headers.get("allow")) == (status, allow)


def test_a_chunked_body_is_refused_with_411_and_writes_nothing(agent: Agent) -> None:
    """It was read as an empty body. The API's bodies are small JSON documents: a
    client that streams one is told to send its length instead."""
    body = json.dumps({"start": "2026-10-20T10:00", "end": "2026-10-20T11:00", "kind": "planned"})
    answer = agent.http.post(
        "/contracts/office/maintenance", content=iter([body.encode()]), headers=OPS
    )
    assert answer.request.headers["transfer-encoding"] == "chunked"
    assert error(answer) == (
        411,
        {
            "error": "send the body with a Content-Length: chunked transfer encoding is refused",
            "field": None,
        },
    )
    assert agent.store.list_maintenance() == []


def test_the_openapi_document_is_served(agent: Agent) -> None:
    answer = agent.get("/openapi.json")
    assert answer.content == SPEC.read_bytes() and answer.json()["openapi"].startswith("3.")


def test_a_bug_is_a_500_without_a_traceback(
    start: Callable[..., Agent], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Config:
        raise RuntimeError("config vanished")

    agent = start(config_source=broken)
    with caplog.at_level(logging.ERROR, logger="slawatch.agent.http.api"):
        answer = agent.get("/contracts")
    assert error(answer) == (
        500,
        {"error": "internal error; the agent's log has the details", "field": None},
    )
    assert "RuntimeError: config vanished" in caplog.text
