"""Value types of the probe settings: headers, regexes, JSON conditions, DNS answers.

Like ``slawatch.config.fields``, each validator turns what a user wrote into what
the probe uses (a compiled regex, a resolver's address, a DNS answer in the
canonical text dnspython prints), so a probe has nothing left to parse or to
reject. Header values keep their ``${VAR}`` references: secrets are read from
the environment when a probe runs, never stored in the validated config.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, Field, PlainValidator

from slawatch.config.base import ConfigModel, invalid
from slawatch.notation import ENV_REF

_TOKEN_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110)
_RESOLVER_RULE = "must be an IP address, IP:PORT or [IPv6]:PORT"
_DNS_PORT = 53


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise invalid("must be one line")
    if "${" in ENV_REF.sub("", value):
        raise invalid("write environment variables as ${NAME}", "Bearer ${PORTAL_TOKEN}")
    return value


def _header_names(headers: Mapping[str, str]) -> Mapping[str, str]:
    # Checked on the whole mapping: pydantic would place a bad name at a "[key]"
    # below it, and the message would quote the header's value, not its name.
    bad = [repr(name) for name in headers if not _TOKEN_RE.fullmatch(name)]
    if bad:
        names = ", ".join(bad)
        raise invalid(f"not an HTTP header name: {names} (use letters, digits and !#$%&'*+.^_`|~-)")
    return headers


Headers = Annotated[
    Mapping[str, Annotated[str, AfterValidator(_header_value)]], AfterValidator(_header_names)
]
"""Request headers; values may hold ``${VAR}``, resolved when the probe runs."""

_NO_HEADERS: Mapping[str, str] = {}


def no_headers() -> Mapping[str, str]:
    """The headers of every target that sets none: one mapping for all (nothing
    changes a target's headers), not an empty dict each, 64 bytes a target for the
    agent's life."""
    return _NO_HEADERS


StatusCode = Annotated[int, Field(ge=100, le=599)]
Flag = Annotated[bool, Field(strict=True)]
"""A boolean written ``true`` or ``false``; pydantic alone would also take ``yes``."""


def _regex(value: object) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise invalid("must be a regular expression")
    try:
        return re.compile(value)
    except re.error as exc:
        raise invalid(f"must be a regular expression: {exc}") from None


Regex = Annotated[re.Pattern[str], PlainValidator(_regex)]
"""A Python regular expression, compiled once when the config loads."""


def _dotted(value: str) -> str:
    if not all(value.split(".")):
        raise invalid("must be keys separated by dots, with list items by index")
    return value


JsonScalar = str | bool | int | Decimal | None  # what YAML gives (Decimal, not float)


class JsonCondition(ConfigModel):
    """The value at a dotted path of a JSON body must equal ``equals``.

    Kept to a path and a value on purpose: full JSONPath would bring a grammar
    that few monitors need. List items are reached by index (``checks.0.status``).
    """

    path: Annotated[str, AfterValidator(_dotted)] = Field(examples=["status.database"])
    equals: JsonScalar = Field(examples=["ok"])


class Address(NamedTuple):
    """Where a DNS server listens."""

    host: str
    port: int


def _resolver(value: object) -> Address:
    if not isinstance(value, str):
        raise invalid(_RESOLVER_RULE, "9.9.9.9")
    host, port = value, str(_DNS_PORT)
    if value.startswith("["):  # [IPv6]:PORT
        host, _, port = value[1:].partition("]:")
    elif value.count(":") == 1:  # IPv4:PORT (a bare IPv6 address has several colons)
        host, _, port = value.partition(":")
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise invalid(_RESOLVER_RULE, "9.9.9.9 or 127.0.0.1:5353") from None
    if not 0 < number < 65536:
        raise invalid("port must be 1..65535", "127.0.0.1:5353")
    return Address(host, number)


Resolver = Annotated[Address, PlainValidator(_resolver)]
"""``IP``, ``IP:PORT`` or ``[IPv6]:PORT`` of a DNS server; the port defaults to 53."""


def _record_type(value: str) -> str:
    import dns.exception  # here, not at the top: only dns targets need dnspython
    import dns.rdatatype

    try:
        rdtype = dns.rdatatype.from_text(value)
    except dns.exception.DNSException:
        raise invalid("must be a DNS record type such as A, AAAA, CNAME, MX or TXT") from None
    if dns.rdatatype.is_metatype(rdtype):
        raise invalid("must be a record type, not a query type such as ANY", "A")
    return dns.rdatatype.to_text(rdtype)


RecordType = Annotated[str, AfterValidator(_record_type)]
"""A DNS record type, in its canonical spelling (``aaaa`` -> ``AAAA``)."""


@lru_cache(maxsize=4096)  # dnspython takes 50 µs a record; configs repeat their answers
def canonical_answer(record_type: str, text: str) -> str:
    """``text`` as dnspython prints that record from the wire (absolute names,
    lowercase IPv6, quoted TXT), so a probe compares texts without parsing them.
    Raises ``ValueError`` with the rule when ``text`` is not such a record."""
    import dns.exception  # here, not at the top: only dns targets need dnspython
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    rdtype = dns.rdatatype.from_text(record_type)
    try:
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False
        )
    except dns.exception.DNSException as exc:
        raise ValueError(f"must be a record of type {record_type}: {exc}") from None
    return rdata.to_text()
