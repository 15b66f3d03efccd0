"""What the http probe sends, seen through pytest-httpx (no network at all)."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpx import HTTPXMock

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.context import USER_AGENT
from slawatch.probes.http import probe

from .helpers import target

pytestmark = pytest.mark.anyio
URL = "https://portal.example/api/health"


async def test_method_headers_and_body_are_sent(
    context: ProbeContext, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TOKEN", "s3cret")
    httpx_mock.add_response(method="POST", url=URL, status_code=201)
    monitored = target(
        "http",
        url=URL,
        method="POST",
        headers={"Authorization": "Bearer ${PORTAL_TOKEN}", "X-Probe": "slawatch"},
        body='{"ping": true}',
    )
    result = await probe(monitored, context)
    assert (result.outcome, result.status_code) == (Outcome.OK, 201)
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert request.headers["X-Probe"] == "slawatch"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.content == b'{"ping": true}'
    assert monitored.headers["Authorization"] == "Bearer ${PORTAL_TOKEN}"  # never stored


async def test_a_changed_secret_is_used_on_the_next_probe(
    context: ProbeContext, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpx_mock.add_response(url=URL, is_reusable=True)
    monitored = target("http", url=URL, headers={"X-Key": "${KEY}"})
    for key in ("one", "two"):
        monkeypatch.setenv("KEY", key)
        await probe(monitored, context)
    assert [request.headers["X-Key"] for request in httpx_mock.get_requests()] == ["one", "two"]


@pytest.mark.parametrize(
    ("value", "error_class", "message"),
    [
        (None, "env_var_missing", "PORTAL_TOKEN is not set"),
        ("s3cret\r\nX-Injected: 1", "env_var_invalid", "PORTAL_TOKEN holds a control character"),
    ],
    ids=["missing", "line-break"],
)
async def test_a_bad_secret_is_our_fault_and_is_not_shown(
    context: ProbeContext,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    error_class: str,
    message: str,
) -> None:
    if value is None:
        monkeypatch.delenv("PORTAL_TOKEN", raising=False)
    else:
        monkeypatch.setenv("PORTAL_TOKEN", value)
    monitored = target("http", url=URL, headers={"Authorization": "Bearer ${PORTAL_TOKEN}"})
    result = await probe(monitored, context)  # no request is made: httpx_mock is not armed
    assert (result.outcome, result.error_class, result.error_message) == (
        Outcome.PROBE_ERROR,
        error_class,
        message,
    )


async def test_cookies_do_not_leak_between_probes(
    context: ProbeContext, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=URL, headers={"Set-Cookie": "session=abc; Path=/"})
    httpx_mock.add_response(url=URL)
    for _ in range(2):
        await probe(target("http", url=URL), context)
    assert [request.headers.get("Cookie") for request in httpx_mock.get_requests()] == [None, None]


async def test_cookies_do_not_follow_a_redirect(
    context: ProbeContext, httpx_mock: HTTPXMock
) -> None:
    moved = "https://portal.example/login"
    cookie = {"Location": moved, "Set-Cookie": "session=abc; Path=/"}
    httpx_mock.add_response(url=URL, status_code=302, headers=cookie)
    httpx_mock.add_response(url=moved)
    result = await probe(target("http", url=URL), context)
    assert result.outcome is Outcome.OK
    assert [request.headers.get("Cookie") for request in httpx_mock.get_requests()] == [None, None]


@pytest.mark.parametrize(
    ("exception", "outcome", "error_class"),
    [
        (httpx.ConnectError("refused"), Outcome.CONNECTION_FAILED, "network"),
        (httpx.RemoteProtocolError("bad"), Outcome.PROTOCOL_ERROR, "remote_protocol"),
        (httpx.ReadError("reset"), Outcome.CONNECTION_FAILED, "network"),
    ],
    ids=["connect-error", "protocol-error", "read-error"],
)
async def test_transport_errors_become_outcomes(
    context: ProbeContext,
    httpx_mock: HTTPXMock,
    exception: Exception,
    outcome: Outcome,
    error_class: str,
) -> None:
    httpx_mock.add_exception(exception, url=URL)
    result = await probe(target("http", url=URL), context)
    assert (result.outcome, result.error_class) == (outcome, error_class)
