"""What the http probe sends, as a real server on 127.0.0.1 receives it."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from slawatch.probes import Outcome, ProbeContext, http
from slawatch.probes.context import USER_AGENT
from slawatch.probes.http import probe

from .helpers import target
from .servers import RecordingServer

pytestmark = pytest.mark.anyio


async def test_method_headers_and_body_are_sent(
    context: ProbeContext, home: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TOKEN", "s3cret")
    monitored = target(
        "http",
        url=home.url("/api/health"),
        method="POST",
        headers={"Authorization": "Bearer ${PORTAL_TOKEN}", "X-Probe": "slawatch"},
        body='{"ping": true}',
    )
    result = await probe(monitored, context)
    assert (result.outcome, result.status_code) == (Outcome.OK, 200)
    [seen] = home.seen
    assert (seen.method, seen.path, seen.body) == ("POST", "/api/health", b'{"ping": true}')
    assert seen.headers["authorization"] == "Bearer s3cret"
    assert seen.headers["x-probe"] == "slawatch"
    assert seen.headers["user-agent"] == USER_AGENT
    assert seen.headers["host"] == home.url("").removeprefix("http://")
    assert monitored.headers["Authorization"] == "Bearer ${PORTAL_TOKEN}"  # never stored


async def test_a_changed_secret_is_used_on_the_next_probe(
    context: ProbeContext, home: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitored = target("http", url=home.url(), headers={"X-Key": "${KEY}"})
    for key in ("one", "two"):
        monkeypatch.setenv("KEY", key)
        await probe(monitored, context)
    assert [seen.headers["x-key"] for seen in home.seen] == ["one", "two"]


class BadSecret(NamedTuple):
    value: str | None  # None: not set
    error_class: str
    message: str


@pytest.mark.parametrize(
    "bad",
    [
        BadSecret(None, "env_var_missing", "PORTAL_TOKEN is not set"),
        BadSecret(
            "s3cret\r\nX-Injected: 1", "env_var_invalid", "PORTAL_TOKEN holds a control character"
        ),
    ],
    ids=["missing", "line-break"],
)
async def test_a_bad_secret_is_our_fault_and_is_not_shown(
    context: ProbeContext, home: RecordingServer, monkeypatch: pytest.MonkeyPatch, bad: BadSecret
) -> None:
    if bad.value is None:
        monkeypatch.delenv("PORTAL_TOKEN", raising=False)
    else:
        monkeypatch.setenv("PORTAL_TOKEN", bad.value)
    monitored = target("http", url=home.url(), headers={"Authorization": "Bearer ${PORTAL_TOKEN}"})
    result = await probe(monitored, context)
    assert (result.outcome, result.error_class, result.error_message) == (
        Outcome.PROBE_ERROR,
        bad.error_class,
        bad.message,
    )
    assert home.seen == []  # no request was made


async def test_cookies_do_not_leak_between_probes(
    context: ProbeContext, home: RecordingServer
) -> None:
    for _ in range(2):
        await probe(target("http", url=home.url(cookie="session=abc; Path=/")), context)
    assert [seen.headers.get("cookie") for seen in home.seen] == [None, None]


async def test_cookies_do_not_follow_a_redirect(
    context: ProbeContext, home: RecordingServer
) -> None:
    start = home.url(to=home.url("/login"), cookie="session=abc; Path=/")
    result = await probe(target("http", url=start), context)
    assert result.outcome is Outcome.OK
    assert [seen.headers.get("cookie") for seen in home.seen] == [None, None]


async def test_targets_with_the_same_headers_share_them_and_others_keep_theirs(
    context: ProbeContext, home: RecordingServer
) -> None:
    """Targets alike share one parsed set of headers (memory): none leaks to another."""
    sent = [{"X-Probe": "one"}, {"X-Probe": "two"}, {"X-Probe": "one"}, {}]
    for i, headers in enumerate(sent):
        await probe(target("http", url=home.url(f"/{i}"), headers=headers), context)
    assert [seen.headers.get("x-probe") for seen in home.seen] == ["one", "two", "one", None]


async def test_requests_alike_share_a_template_and_the_templates_kept_are_bounded(
    context: ProbeContext, home: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain GET's template is found by its URL alone: a POST to the same URL is
    another. Past ``TEMPLATES`` those kept are dropped, and probes go on alike."""
    monkeypatch.setattr(http, "TEMPLATES", 2)
    monkeypatch.setattr(http, "_templates", {})
    same, other = home.url("/same"), home.url("/other")
    targets = [
        target("http", url=same),
        target("http", url=same, method="POST", body="x"),
        target("http", url=same),
        target("http", url=other),
        target("http", url=same, method="POST", body="x"),
    ]
    for monitored in targets:
        assert (await probe(monitored, context)).outcome is Outcome.OK
    assert [(seen.method, seen.path, seen.body) for seen in home.seen] == [
        ("GET", "/same", b""),
        ("POST", "/same", b"x"),
        ("GET", "/same", b""),
        ("GET", "/other", b""),
        ("POST", "/same", b"x"),
    ]
    assert list(http._templates) == [other, ("POST", same, (), "x")]  # dropped at /other's
