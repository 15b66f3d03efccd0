"""Support requests through the HTTP API, over SQLite and PostgreSQL: a helpdesk's
webhook posts ticket events (token-protected, audited, idempotent), refusals say
which field and change nothing, and the support report is the CLI's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from slawatch.cli import main

from .test_api import CI, OPS, Agent

EVENTS = "/contracts/office/tickets/{}/events"
OPENED = {"event": "opened", "timestamp": "2026-10-19T10:30:00+02:00", "priority": "p1"}


def post_event(agent: Agent, ticket: str, body: dict[str, Any], headers: Any = OPS) -> Any:
    return agent.post(EVENTS.format(ticket), body, headers)


def test_a_webhook_event_is_added_once_and_audited(agent: Agent) -> None:
    first = post_event(agent, "T-1", {**OPENED, "note": "from the helpdesk"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["added"] is True
    ticket = body["ticket"]
    assert (ticket["contract"], ticket["ticket"], ticket["priority"], ticket["state"]) == (
        "office",
        "T-1",
        "p1",
        "open",
    )
    assert ticket["events"] == [
        {
            "event": "opened",
            "at": "2026-10-19T10:30:00+02:00",
            "reason": None,
            "note": "from the helpdesk",
        }
    ]
    (clock,) = ticket["targets"]
    # Monday 10:30 + 4 business hours; the agent's clock says 14:00.
    assert (clock["deadline"], clock["outcome"]) == ("2026-10-19T14:30:00+02:00", "pending")
    again = post_event(agent, "T-1", OPENED, CI)
    assert (again.status_code, again.json()["added"]) == (200, False)
    audit = agent.get("/audit", contract="office").json()["audit"]
    assert [(a["action"], a["actor"], a["detail"]) for a in audit] == [
        ("ticket.import", "ops", {"source": "api", "events": 1, "tickets": ["T-1"]})
    ]


def test_a_pause_through_the_api_moves_the_deadline(agent: Agent) -> None:
    post_event(agent, "T-1", OPENED)
    pause = {
        "event": "paused",
        "timestamp": "2026-10-19T11:00:00+02:00",
        "reason": "waiting_client",
    }
    assert post_event(agent, "T-1", pause).status_code == 201
    resume = {"event": "resumed", "timestamp": "2026-10-19T12:00:00+02:00"}
    (clock,) = post_event(agent, "T-1", resume).json()["ticket"]["targets"]
    assert (clock["paused_seconds"], clock["deadline"]) == (3600, "2026-10-19T15:30:00+02:00")


@pytest.mark.parametrize(
    ("ticket", "body", "status", "field", "message"),
    [
        (
            "T-1",
            {"event": "resumed", "timestamp": "2026-10-19T11:00:00+02:00"},
            409,
            "event",
            "event: resumed without paused (ticket T-1)",
        ),
        (
            "T-1",
            {"event": "responded", "timestamp": "2026-10-19T10:00:00+02:00"},
            409,
            "timestamp",
            "timestamp: comes before the ticket is opened (ticket T-1)",
        ),
        (
            "T-2",
            {**OPENED, "priority": "urgent"},
            422,
            "priority",
            "priority: unknown priority 'urgent' for office (its priorities: p1, p2)",
        ),
        (
            "T-2",
            {"event": "paused", "timestamp": "2026-10-19T11:00:00+02:00"},
            422,
            "reason",
            "reason: required on paused (waiting_client, client_unavailable, postponed_by_client)",
        ),
        (
            "T-2",
            {**OPENED, "timestamp": "2026-10-19T10:30:00"},
            400,
            "timestamp",
            "timestamp: '2026-10-19T10:30:00' has no UTC offset (e.g. +02:00 or Z)",
        ),
        (
            "T-2",
            {**OPENED, "event": "answered"},
            400,
            "event",
            'event must be one of opened, responded, qualified, resolved, closed, paused, resumed, reopened (got "answered")',
        ),
    ],
    ids=[
        "resumed-without-paused",
        "before-opened",
        "unknown-priority",
        "pause-without-reason",
        "no-offset",
        "unknown-event",
    ],
)
def test_a_refused_event_names_its_field_and_changes_nothing(  # noqa: PLR0913, PLR0917
    agent: Agent, ticket: str, body: dict[str, Any], status: int, field: str, message: str
) -> None:
    post_event(agent, "T-1", OPENED)
    refused = post_event(agent, ticket, body)
    assert (refused.status_code, refused.json()) == (status, {"error": message, "field": field})
    assert len(agent.get("/audit", contract="office").json()["audit"]) == 1
    assert agent.get("/contracts/office/tickets/T-2").status_code == 404


def test_contracts_without_support_and_unknown_ones_are_404(agent: Agent) -> None:
    without = agent.post("/contracts/web-sla/tickets/T-1/events", OPENED)
    assert (without.status_code, without.json()["field"]) == (404, "contract")
    assert "web-sla has no support part (those with one: office)" in without.json()["error"]
    assert agent.post("/contracts/nope/tickets/T-1/events", OPENED).status_code == 404
    assert agent.get("/contracts/office/support-reports/2026-10").status_code == 200
    assert agent.get("/contracts/web-sla/support-reports/2026-10").status_code == 404


def test_writing_an_event_needs_a_token(agent: Agent) -> None:
    refused = post_event(agent, "T-1", OPENED, {})
    assert refused.status_code == 401
    assert agent.get("/contracts/office/tickets/T-1").status_code == 404


def test_a_ticket_reference_may_hold_a_slash_percent_encoded(agent: Agent) -> None:
    assert post_event(agent, "INC%2F42", OPENED).status_code == 201
    assert agent.get("/contracts/office/tickets/INC%2F42").json()["ticket"] == "INC/42"


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_the_support_report_is_the_clis(agent: Agent, fmt: str) -> None:
    post_event(agent, "T-1", OPENED)
    post_event(agent, "T-1", {"event": "responded", "timestamp": "2026-10-19T11:00:00+02:00"})
    as_of = "2026-10-31T00:00:00+01:00"
    served = agent.get("/contracts/office/support-reports/2026-10", format=fmt, as_of=as_of)
    assert served.status_code == 200, served.text
    cli = CliRunner().invoke(
        main,
        ["support", "report", "-c", str(agent.config_path), "--db", agent.db_url,
         "--contract", "office", "--period", "2026-10", "--as-of", as_of, "--format", fmt],
    )  # fmt: skip
    assert served.text == cli.output
    if fmt == "json":
        (objective,) = json.loads(served.text)["objectives"]
        assert (objective["met_count"], objective["share_percent"], objective["met"]) == (
            1,
            100.0,
            True,
        )


def test_a_binary_support_report_comes_as_a_file(agent: Agent) -> None:
    served = agent.get("/contracts/office/support-reports/contract-year:2026", format="pdf")
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == (
        'attachment; filename="office-support-contract-year-2026.pdf"'
    )
    assert served.content.startswith(b"%PDF")
