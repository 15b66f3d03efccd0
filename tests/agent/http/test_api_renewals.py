"""The renewal endpoints: what ``slawatch renewal status --format json`` says, the same
checks and one line per refusal, writes under a token and audited."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from slawatch.cli import main

from .test_api import CI, Agent, agent, error, start

__all__ = ["agent", "start"]  # the fixtures, shared with test_api.py


def cli_status(agent: Agent, *args: str) -> list[dict[str, object]]:
    command = ["renewal", "status", "-c", str(agent.config_path), "--db", agent.db_url]
    result = CliRunner().invoke(main, [*command, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def test_the_status_is_the_clis(agent: Agent) -> None:
    listed = agent.get("/renewals", on="2027-01-15").json()["renewals"]
    assert listed == cli_status(agent, "--on", "2027-01-15")
    one = agent.get("/contracts/licence/renewal", on="2027-01-15").json()
    assert one == listed[0]
    assert (one["state"], one["expires"], one["fee"], one["next_notice"]) == (
        "grace",
        "2026-12-31",
        0,
        "2027-01-15",  # D+15, that very day
    )


def test_without_on_it_is_today_in_the_contracts_zone(agent: Agent) -> None:
    # The API's clock says 2026-10-19T12:00Z: D-73 of a 31 December expiry.
    found = agent.get("/contracts/licence/renewal").json()
    assert (found["on"], found["state"], found["next_notice"]) == (
        "2026-10-19",
        "notice",
        "2026-11-01",
    )


def test_a_renewal_is_recorded_under_the_tokens_name(agent: Agent) -> None:
    answer = agent.post("/contracts/licence/renewals", {"on": "2027-02-15", "years": 2}, CI)
    assert answer.status_code == 201
    assert answer.json() == {
        "id": 1,
        "renewed_on": "2027-02-15",
        "years": 2,
        "state": "reinstatement",
        "previous_expiry": "2026-12-31",
        "expires": "2028-12-31",
        "price": 2400,
        "fee": 480,
        "currency": "EUR",
        "author": "ci",
    }
    [entry] = agent.get("/audit", contract="licence").json()["audit"]
    assert (entry["actor"], entry["action"], entry["entity_id"]) == ("ci", "renewal.add", 1)
    after = agent.get("/contracts/licence/renewal", on="2027-02-15").json()
    assert (after["expires"], after["state"]) == ("2028-12-31", "active")


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (
            "/contracts/licence/renewals",
            {"on": "2028-01-01", "years": 1},
            (
                400,
                "on: not renewable on 2028-01-01: the item expired on 2026-12-31 and lapsed "
                "after 2027-12-31; a new licence must be bought",
                "on",
            ),
        ),
        (
            "/contracts/licence/renewals",
            {"on": "2027-01-10", "years": 0},
            (400, "years: must be a whole number >= 1 (got 0)", "years"),
        ),
        (
            "/contracts/licence/renewals",
            {"on": "2025-12-31", "years": 1},
            (400, "on: 2025-12-31 is before the item exists (it starts on 2026-01-01)", "on"),
        ),
        (
            "/contracts/licence/renewals",
            {"on": "2027-02-29", "years": 1},
            (400, "on: not a date: February 2027 has 28 days (got 2027-02-29)", "on"),
        ),
        (
            "/contracts/web-sla/renewals",
            {"on": "2027-01-10", "years": 1},
            (404, "contract 'web-sla' has no renewal part (renewal)", "contract"),
        ),
        (
            "/contracts/licenced/renewals",
            {"on": "2027-01-10", "years": 1},
            (
                404,
                "unknown contract 'licenced' (did you mean 'licence'? known: licence, "
                "office, web-sla)",
                "contract",
            ),
        ),
    ],
    ids=[
        "lapsed",
        "zero-years",
        "before-it-exists",
        "impossible-date",
        "no-renewal-part",
        "unknown",
    ],
)
def test_a_refused_renewal_records_nothing(
    agent: Agent, path: str, body: dict[str, object], expected: tuple[int, str, str]
) -> None:
    status, found = error(agent.post(path, body))
    assert (status, found["error"], found["field"]) == expected
    assert agent.store.audit_log() == []


def test_writes_need_a_token(start: Callable[..., Agent]) -> None:
    closed = start(environ={})
    answer = closed.post("/contracts/licence/renewals", {"on": "2027-01-10", "years": 1}, {})
    assert answer.status_code == 403
    assert closed.get("/renewals").status_code == 200
    assert closed.store.audit_log() == []


def test_availability_endpoints_on_a_renewal_only_contract_are_404(agent: Agent) -> None:
    status, found = error(agent.get("/contracts/licence/status"))
    assert (status, found["error"]) == (
        404,
        "contract 'licence' has no availability part (service, period and target)",
    )
    assert [c["name"] for c in agent.get("/contracts").json()["contracts"]] == [
        "web-sla",
        "office",
    ]
