"""Secrets do not follow a redirect to another origin (issue 8, item 12).

httpx drops ``Authorization`` on such a redirect, as browsers do; a key in
``X-Api-Key: ${KEY}`` went on to whatever host the redirect named. Two real
servers on 127.0.0.1, on two ports: two origins.
"""

from __future__ import annotations

import httpx
import pytest

from slawatch.probes import Outcome, ProbeContext
from slawatch.probes.http import keeps_secrets, probe

from .helpers import target
from .servers import RecordingServer

pytestmark = pytest.mark.anyio

HEADERS = {
    "Authorization": "Bearer ${TOKEN}",
    "X-Api-Key": "${KEY}",
    "X-Account": "acme-${KEY}-eu",  # a secret inside a value
    "Proxy-Authorization": "Basic cHJvYmU6cHJvYmU=",  # no secret, yet a credential
    "X-Probe": "slawatch",
}
SECRETS = {"authorization", "x-api-key", "x-account", "proxy-authorization"}


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN", "t0ken")
    monkeypatch.setenv("KEY", "k3y")


def sent(server: RecordingServer) -> list[set[str]]:
    """The headers among ``HEADERS`` of each request the server received."""
    names = {name.lower() for name in HEADERS}
    return [names & set(seen.headers) for seen in server.seen]


async def probed(context: ProbeContext, start: str) -> None:
    result = await probe(target("http", url=start, headers=HEADERS), context)
    assert (result.outcome, result.status_code) == (Outcome.OK, 200)


async def test_secrets_are_not_sent_to_another_origin(
    context: ProbeContext, home: RecordingServer, away: RecordingServer
) -> None:
    await probed(context, home.url(to=away.url("/landing")))
    assert sent(home) == [SECRETS | {"x-probe"}]
    assert sent(away) == [{"x-probe"}]


async def test_secrets_are_kept_on_the_same_origin(
    context: ProbeContext, home: RecordingServer
) -> None:
    await probed(context, home.url(to=home.url("/landing")))
    assert sent(home) == [SECRETS | {"x-probe"}] * 2
    assert home.seen[1].headers["x-api-key"] == "k3y"


async def test_secrets_dropped_once_stay_dropped(
    context: ProbeContext, home: RecordingServer, away: RecordingServer
) -> None:
    await probed(context, home.url(to=away.url(to=home.url("/back"))))
    assert sent(home) == [SECRETS | {"x-probe"}, {"x-probe"}]
    assert sent(away) == [{"x-probe"}]


@pytest.mark.parametrize(
    ("source", "destination", "kept"),
    [
        ("http://a.example/x", "http://a.example/y", True),
        ("http://a.example/", "http://a.example:80/", True),
        ("http://a.example/", "https://a.example/", True),  # an upgrade, as httpx allows
        ("http://a.example/", "https://a.example:8443/", False),
        ("http://a.example:8080/", "https://a.example/", False),
        ("https://a.example/", "http://a.example/", False),  # a downgrade
        ("http://a.example/", "http://a.example:8080/", False),
        ("http://a.example/", "http://b.example/", False),
        ("http://a.example/", "http://sub.a.example/", False),
    ],
)
def test_which_redirects_keep_secrets(source: str, destination: str, kept: bool) -> None:
    assert keeps_secrets(httpx.URL(source), httpx.URL(destination)) is kept
