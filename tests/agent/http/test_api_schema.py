"""The API against its own OpenAPI document, with schemathesis: a real agent process
(``slawatch run``) on 127.0.0.1 over SQLite, holding a known history, its write token
in its environment. Every operation, reads and writes, gets generated requests, valid
and invalid; every answer must match the document (status, content type, body schema),
invalid input must be refused with a 4xx, writes without the token with a 401, and
nothing may be a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import APIOperation
from schemathesis.checks import CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from slawatch.agent.http.inputs import BODIES, PARAMS, request_schema
from slawatch.agent.http.routing import document

from ..helpers import AgentProcess, Target, free_port
from .api_setup import TOKENS, load_history, write_config

CONTRACTS = ["web-sla", "office", "licence"]
# Instants for bodies: around and inside the history's outage (10:00-10:45Z on
# 5 October), with and without an offset, so that writes succeed as well as fail.
INSTANTS = [
    "2026-10-05T10:00:00Z",
    "2026-10-05T10:20:00+00:00",
    "2026-10-05T12:45:00+02:00",
    "2026-10-20T10:00:00",
    "2026-10-22T09:30:00+02:00",
]
# What the document's schemas leave to the code: that an instant or a period falls
# within 1970..9998 (and a month within 01..12), that an end follows its start, that
# a date exists and a renewal is allowed on it, for at least a year. A well-formed
# request refused for one of these alone is rightly refused. Ticket events need their
# timestamp's offset (as a CSV row does): one without it is refused as an instant's
# meaning.
MEANING_ONLY = frozenset(
    {"start", "end", "at", "declared_at", "as_of", "period", "on", "years", "timestamp"}
)


def drawn_from_the_config() -> dict[str, Any]:
    """The document, with valid values drawn from the agent's world: its contracts,
    instants near its history, the first record ids. So that valid requests reach
    real contracts and records and make real writes, rather than end in 404s and in
    instants of the year 7000; invalid requests still try everything else."""
    spec = copy.deepcopy(document())
    parameters, schemas = spec["components"]["parameters"], spec["components"]["schemas"]
    parameters["contract"]["schema"]["enum"] = CONTRACTS
    parameters["id"]["schema"]["enum"] = [1, 2, 3]
    for body in ("MaintenanceInput", "ExclusionInput", "ClaimInput", "TicketEventInput"):
        for value in schemas[body]["properties"].values():
            if value.get("format") == "date-time":
                del value["format"]
                value["enum"] = INSTANTS
    return spec


schema = schemathesis.openapi.from_dict(
    drawn_from_the_config(),
    config=SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": 25},
            "headers": {"Authorization": f"Bearer {TOKENS['TEST_OPS_TOKEN']}"},
        }
    ),
)


@schemathesis.check
def valid_requests_are_accepted(
    ctx: CheckContext, response: Response, case: Case[APIOperation[Any, Any, Any, Any]]
) -> None:
    """Like schemathesis' ``positive_data_acceptance``, but a 400 about an instant's
    meaning and a 422 (no outage to claim) are right answers to well-formed requests."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status < 300 or status in (404, 409, 422):
        return
    if status == 400 and json.loads(response.content).get("field") in MEANING_ONLY:
        return
    raise AssertionError(f"a valid request was refused: {status} {response.content!r}")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running agent holding the test history; its probes find the targets up."""
    tmp = tmp_path_factory.mktemp("api-schema")
    target, port = Target(), free_port()
    db = f"sqlite:///{tmp}/agent.db"
    config = write_config(tmp / "agent.yaml", db, port, target.url)
    load_history(db, config)
    with pytest.MonkeyPatch.context() as env:
        for name, token in TOKENS.items():
            env.setenv(name, token)
        agent = AgentProcess(config, port, tmp / "agent.log")
    agent.scrape()  # waits until it serves
    yield f"http://127.0.0.1:{port}"
    log = agent.stop()
    target.close()
    assert "Traceback" not in log, log
    assert "api write: action=maintenance.add contract=" in log and "actor=ops" in log


@schema.parametrize()
def test_the_api_keeps_its_document(
    case: Case[APIOperation[Any, Any, Any, Any]], base_url: str
) -> None:
    case.call_and_validate(
        base_url=base_url,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_requests_are_accepted],
    )


def test_the_document_describes_the_models() -> None:
    """Each operation's parameters and body in openapi.json are exactly its models in
    inputs.py, which the router validates with: a difference would be a promise the
    API does not keep, or an input it takes unannounced."""
    spec = document()
    for path, entry in spec["paths"].items():
        for method, operation in entry.items():
            name = operation["operationId"]
            expected = request_schema(PARAMS[name])
            declared = [_resolved(spec, p) for p in operation.get("parameters", ())]
            described = {
                p["name"]: (p["schema"], p["required"], p["in"] == "path") for p in declared
            }
            assert described == {
                field: (
                    {k: v for k, v in schema.items() if k != "description"},
                    field in expected["required"],
                    f"{{{field}}}" in path,
                )
                for field, schema in expected["properties"].items()
            }, f"{method} {path}"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            model = BODIES.get(name)
            assert (body is None) == (model is None), name
            if body is not None and model is not None:
                assert _resolved(spec, body["schema"]) == request_schema(model), name


def _resolved(spec: dict[str, Any], node: dict[str, Any]) -> Any:
    """``node``, or what its ``$ref`` points to in ``spec``."""
    if "$ref" not in node:
        return node
    target: Any = spec
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return target


def _patterns(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_the_document_s_patterns_mean_the_same_to_every_reader() -> None:
    """The agent checks patterns with Python's ``re``; the tools that read openapi.json
    with ECMA-262's. ``\\s``, ``\\d``, ``\\w`` and ``\\b`` stand for other characters in
    each (Python's ``\\s`` has U+001C to U+001F, ECMA-262's has not): a pattern spells its
    classes out, or a client would send, as valid, what the agent refuses."""
    shorthands = [
        p for p in _patterns(document()) if any(s in p for s in ("\\s", "\\d", "\\w", "\\b"))
    ]
    assert shorthands == []
