"""What every probe of a process shares (probes/context.py): the TLS contexts are
built when a probe first needs one, since a verifying one loads the whole trust
store, which a process whose probes use no TLS never reads."""

from __future__ import annotations

import pytest

from slawatch.probes import open_context
from slawatch.probes.certs import Trust, client_context
from slawatch.probes.http import probe as http_probe
from slawatch.probes.tls import probe as tls_probe

from .helpers import target

pytestmark = pytest.mark.anyio


def built() -> int:
    """The TLS contexts this process has built (``client_context`` keeps each one)."""
    return client_context.cache_info().currsize


async def test_tls_contexts_are_built_when_a_probe_first_needs_one(
    trust: Trust, http_url: str, https_url: str, tls_echo_port: int
) -> None:
    client_context.cache_clear()
    async with open_context(trust=trust) as context:
        assert built() == 0
        assert (await http_probe(target("http", url=http_url + "/"), context)).ok
        assert built() == 0  # http:// needs none
        assert (await http_probe(target("http", url=https_url + "/"), context)).ok
        assert built() == 1  # HTTP's, which offers http/1.1 by ALPN
        assert (await http_probe(target("http", url=https_url + "/"), context)).ok
        assert built() == 1  # built once, then shared
        tls = target("tls", host="127.0.0.1", port=tls_echo_port)
        assert (await tls_probe(tls, context)).ok
        assert built() == 2  # the tls probe's, which offers nothing
