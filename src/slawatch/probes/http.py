"""The http probe: one request (following redirects if asked), timed by phase.

Phases come from httpx's trace extension, to which the transport
(``fresh.FreshTransport``) reports each step of a request as
``<layer>.<step>.started`` / ``.complete`` / ``.failed`` under httpcore's names;
steps map onto blackbox_exporter's phases. ``connect`` includes the name lookup,
done inside ``connect_tcp``. The certificate expiry is taken when the handshake
completes, so it is known even if the request then fails.

Header values read ``${VAR}`` from the environment here, for this request only:
secrets stay out of the config objects, the results and the error messages.
Redirects are followed here rather than by httpx, so that no secret follows one
to another origin (``keeps_secrets``): httpx drops only ``Authorization``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

import httpx

from slawatch.notation import ENV_REF
from slawatch.probes.certs import check_validity, peer_cert_expiry
from slawatch.probes.context import ProbeContext
from slawatch.probes.failures import ProbeFailure
from slawatch.probes.fresh import DEFAULT_PORTS
from slawatch.probes.http_checks import check_answer
from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import Outcome, ProbeResult

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.targets import HttpTarget

BODY_KEPT = 1 << 20  # bytes of the body the conditions look at; the rest is read and dropped
TEMPLATES = 1 << 16  # targets whose parsed request is kept
_PHASE_OF_STEP = {
    "connect_tcp": "connect",
    "start_tls": "tls",
    "send_request": "processing",
    "receive_response_headers": "processing",
    "receive_response_body": "transfer",
}


async def probe(target: HttpTarget, context: ProbeContext) -> ProbeResult:
    return await guarded(target.timeout_ms / 1_000, partial(_check, target, context))


async def _check(target: HttpTarget, context: ProbeContext, recorder: Recorder) -> None:
    client = context.http(target.verify_tls)
    template = _template_of(target)
    request = template.request(client.headers, _Tracer(recorder))
    response = await _send(client, request, target.follow_redirects, template.secret_names)
    try:
        recorder.status_code = response.status_code
        body = await _read(response)
    finally:
        await response.aclose()
    check_answer(target, response.status_code, body, lambda: response.encoding or "utf-8")
    check_validity(recorder.cert_expiry, target.min_cert_validity, context.now())


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, follow: bool, secrets: tuple[str, ...]
) -> httpx.Response:
    """The response to ``request``, after its redirects if ``follow``; the headers
    named in ``secrets`` (and the credentials) are dropped at a redirect to another
    origin and stay dropped."""
    for _ in range(client.max_redirects + 1):
        response = await client.send(request, stream=True)
        if not follow or response.next_request is None:
            return response
        try:
            await response.aread()  # the redirect's own body, read as httpx would
        finally:
            await response.aclose()
        request = _redirected(request.url, response.next_request, secrets)
    raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)


CREDENTIALS = ("Authorization", "Proxy-Authorization", "Cookie")


def _redirected(
    source: httpx.URL, request: httpx.Request, secrets: tuple[str, ...]
) -> httpx.Request:
    if not keeps_secrets(source, request.url):
        for name in (*CREDENTIALS, *secrets):
            request.headers.pop(name, None)
    return request


def keeps_secrets(source: httpx.URL, destination: httpx.URL) -> bool:
    """Whether a redirect from ``source`` may carry secrets to ``destination``:
    to the same origin (scheme, host, port), or from http to https on the same
    host and default ports (httpx's own rule for ``Authorization``)."""
    before, after = _origin(source), _origin(destination)
    upgrade = (before[0], before[2], after[0], after[2]) == ("http", 80, "https", 443)
    return before[1] == after[1] and (before == after or upgrade)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme)


@dataclass(frozen=True, slots=True)
class _Template:
    """What every request to a target has in common, parsed once: what
    ``client.build_request`` would redo on every probe (the URL's parsing was a
    tenth of a probe's own time)."""

    method: str
    url: httpx.URL
    headers: httpx.Headers  # those without secrets
    secret_headers: tuple[tuple[str, str], ...]  # values with ${VAR}, read at each probe
    content: bytes | None

    @property
    def secret_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.secret_headers)

    def request(self, defaults: httpx.Headers, tracer: _Tracer) -> httpx.Request:
        """A request as ``build_request`` makes it: the client's headers, then the
        target's. No timeouts: the transport has none, the probe's deadline is the
        only one (``recorder.guarded``)."""
        headers = defaults.copy()
        headers.update(self.headers)
        for name, value in self.secret_headers:
            headers[name] = ENV_REF.sub(_env_value, value)
        return httpx.Request(
            self.method,
            self.url,
            headers=headers,
            content=self.content,
            extensions={"trace": tracer},
        )


_templates: dict[str | tuple[Any, ...], _Template] = {}
"""The templates made, by URL (a GET without headers or body, most targets) or by
method, URL, headers and body: a plain dict, not ``lru_cache``, whose key tuple and
list node took 130 of a template's 650 bytes."""


def _template_of(target: HttpTarget) -> _Template:
    """``target``'s template, made on its first probe; at most ``TEMPLATES`` are
    kept (past that they are all dropped: targets probed in turn would miss a least
    recently used cache as much)."""
    headers = tuple(target.headers.items())
    plain = target.method == "GET" and not headers and target.body is None
    key = target.url if plain else (target.method, target.url, headers, target.body)
    if (template := _templates.get(key)) is None:
        if len(_templates) >= TEMPLATES:
            _templates.clear()
        template = _templates[key] = _template(target.method, target.url, headers, target.body)
    return template


def _template(
    method: str, url: str, headers: tuple[tuple[str, str], ...], body: str | None
) -> _Template:
    plain = tuple((name, value) for name, value in headers if not ENV_REF.search(value))
    secret = tuple((name, value) for name, value in headers if ENV_REF.search(value))
    content = None if body is None else body.encode()
    return _Template(method, httpx.URL(url), _plain_headers(plain), secret, content)


@lru_cache(maxsize=64)
def _plain_headers(headers: tuple[tuple[str, str], ...]) -> httpx.Headers:
    """One object for each set of headers (most targets have none, or the same few): a
    template keeps them for the agent's life, 400 bytes a target; a request copies
    them, nothing changes them."""
    return httpx.Headers(headers)


class _Tracer:
    """The trace callback: adds each step's time to its phase."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._started: dict[str, float] = {}

    async def __call__(self, event: str, info: Mapping[str, Any]) -> None:
        step, _, state = event.partition(".")[2].rpartition(".")
        phase = _PHASE_OF_STEP.get(step)
        if phase is None:
            return
        if state == "started":
            self._started[step] = self._recorder.start(phase)
            return
        self._recorder.end(phase, self._started.pop(step), failed=state == "failed")
        if step == "start_tls" and state == "complete":
            stream = info["return_value"]
            self._recorder.saw_cert(peer_cert_expiry(stream.get_extra_info("ssl_object")))


async def _read(response: httpx.Response) -> bytes:
    """The body's first ``BODY_KEPT`` bytes, after reading all of it (that is the
    ``transfer`` phase, and a page cut short is a failure a visitor would see)."""
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk[: BODY_KEPT - len(kept)]
    return bytes(kept)


def _env_value(reference: re.Match[str]) -> str:
    name = reference[1]
    value = os.environ.get(name)
    if value is None:
        raise ProbeFailure("env_var_missing", f"{name} is not set", Outcome.PROBE_ERROR)
    if not value.isprintable():  # httpx would quote the whole value in its error
        raise ProbeFailure(
            "env_var_invalid", f"{name} holds a control character", Outcome.PROBE_ERROR
        )
    return value
