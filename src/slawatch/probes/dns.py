"""The dns probe: one query to one server, as blackbox_exporter's dns prober.

One server, not the resolver library's retry-the-next-one logic: the target is
that server's answer. It is asked over UDP, then over TCP if the answer was
truncated. The answer must have code NOERROR and contain every expected record
(more records are fine: round-robin pools grow).
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import TYPE_CHECKING

import dns.asyncquery
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from slawatch.probes.failures import ProbeFailure
from slawatch.probes.recorder import Recorder, guarded
from slawatch.probes.result import ProbeResult

if TYPE_CHECKING:  # a probe worker never imports the config package (records.py)
    from slawatch.config.targets import DnsTarget
    from slawatch.probes.context import ProbeContext


async def probe(target: DnsTarget, context: ProbeContext) -> ProbeResult:
    return await guarded(target.timeout_ms / 1_000, partial(_check, target))


async def _check(target: DnsTarget, recorder: Recorder) -> None:
    host, port = target.resolver or system_resolver()  # an Address, or its plain tuple
    query = dns.message.make_query(target.query_name, target.record_type)
    with recorder.span("processing"):
        answer, _ = await dns.asyncquery.udp_with_fallback(query, host, port=port)
    if answer.rcode() != dns.rcode.NOERROR:
        raise ProbeFailure("dns_rcode", f"answer code {dns.rcode.to_text(answer.rcode())}")
    _check_records(target, answer)


@lru_cache(maxsize=1)
def system_resolver() -> tuple[str, int]:
    """The first name server of the system's configuration (``/etc/resolv.conf``),
    read once: a probe should not read a file each time it runs."""
    resolver = dns.resolver.get_default_resolver()
    return str(resolver.nameservers[0]), resolver.port


def _check_records(target: DnsTarget, answer: dns.message.Message) -> None:
    rdtype = dns.rdatatype.from_text(target.record_type)
    got = {rdata.to_text() for rrset in answer.answer if rrset.rdtype == rdtype for rdata in rrset}
    missing = [record for record in target.expected_answers if record not in got]
    if missing:
        found = ", ".join(sorted(got)) or "nothing"
        raise ProbeFailure("dns_answer", f"expected {', '.join(missing)}; got {found}")
