"""The http probe: one request (following redirects if asked), timed by phase.

Phases come from httpcore's trace extension, which reports each step of a
request as ``<layer>.<step>.started`` / ``.complete`` / ``.failed``; steps map
onto blackbox_exporter's phases. ``connect`` includes the name lookup, which
httpcore does inside ``connect_tcp``. The certificate expiry is taken when the
handshake completes, so it is known even if the request then fails.

Header values read ``${VAR}`` from the environment here, for this request only:
secrets stay out of the config objects, the results and the error messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

import httpx

from slawatch.config.probe_settings import ENV_REF
from slawatch.config.targets import HttpTarget
from slawatch.probes.certs import check_validity, peer_cert_expiry
from slawatch.probes.context import ProbeContext
from slawatch.probes.failures import ProbeFailure
from slawatch.probes.http_checks import check_answer
from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import Outcome, ProbeResult

BODY_KEPT = 1 << 20  # bytes of the body the conditions look at; the rest is read and dropped
_PHASE_OF_STEP = {
    "connect_tcp": "connect",
    "start_tls": "tls",
    "send_request_headers": "processing",
    "send_request_body": "processing",
    "receive_response_headers": "processing",
    "receive_response_body": "transfer",
}


async def probe(target: HttpTarget, context: ProbeContext) -> ProbeResult:
    return await guarded(target.timeout_ms / 1_000, partial(_check, target, context))


async def _check(target: HttpTarget, context: ProbeContext, recorder: Recorder) -> None:
    client = context.http(target.verify_tls)
    request = client.build_request(
        target.method,
        target.url,
        headers=_with_secrets(target.headers),
        content=target.body,
        timeout=None,  # the probe's deadline is the only one (see recorder.guarded)
        extensions={"trace": _Tracer(recorder)},
    )
    response = await client.send(request, follow_redirects=target.follow_redirects, stream=True)
    try:
        recorder.status_code = response.status_code
        body = await _read(response)
    finally:
        await response.aclose()
    check_answer(target, response.status_code, body, response.encoding or "utf-8")
    check_validity(recorder.cert_expiry, target.min_cert_validity, context.now())


class _Tracer:
    """httpcore's trace callback: adds each step's time to its phase."""

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


def _with_secrets(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: ENV_REF.sub(_env_value, value) for name, value in headers.items()}


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
