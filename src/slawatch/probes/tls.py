"""The tls probe: a TLS handshake with any host:port, and its certificate's expiry.

For services that speak TLS but not HTTP (LDAPS, SMTPS, a database): the same
connection code as ``tcp`` with ``tls: true``, nothing sent.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from slawatch.probes.certs import check_validity
from slawatch.probes.context import ProbeContext
from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import ProbeResult
from slawatch.probes.tcp import open_stream

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.targets import TlsTarget


async def probe(target: TlsTarget, context: ProbeContext) -> ProbeResult:
    return await guarded(target.timeout_ms / 1_000, partial(_check, target, context))


async def _check(target: TlsTarget, context: ProbeContext, recorder: Recorder) -> None:
    async with open_stream(target.host, target.port, context.tls(target.verify_tls), recorder):
        pass
    check_validity(recorder.cert_expiry, target.min_cert_validity, context.now())
