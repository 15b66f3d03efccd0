"""The probe settings of each target kind: what they become, and every rule's message."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from slawatch.config import ConfigError, parse_config
from slawatch.config.probe_settings import Address, JsonCondition
from slawatch.config.targets import DnsTarget, HeartbeatTarget, HttpTarget, TcpTarget

HEAD = "targets:\n  - name: t\n"


def only_target(text: str) -> object:
    return parse_config(HEAD + text, "c.yaml").targets[0]


def test_http_settings_reach_the_model() -> None:
    target = only_target(
        "    kind: http\n"
        "    url: https://portal.example/health\n"
        "    method: POST\n"
        "    headers: {Authorization: 'Bearer ${TOKEN}', X-Env: prod}\n"
        "    body: '{}'\n"
        "    follow_redirects: false\n"
        "    valid_status_codes: [200, 204]\n"
        "    body_contains: Welcome\n"
        "    body_regex: 'v\\d+'\n"
        "    body_json: {path: checks.0.ratio, equals: 0.5}\n"
        "    verify_tls: false\n"
        "    min_cert_validity: 14d\n"
    )
    assert isinstance(target, HttpTarget)
    assert (target.method, target.body, target.follow_redirects) == ("POST", "{}", False)
    assert target.headers == {"Authorization": "Bearer ${TOKEN}", "X-Env": "prod"}
    assert (target.valid_status_codes, target.body_contains) == ((200, 204), "Welcome")
    assert target.body_regex == re.compile(r"v\d+")
    assert target.body_json == JsonCondition(path="checks.0.ratio", equals=Decimal("0.5"))
    assert (target.verify_tls, target.min_cert_validity) == (False, 14 * 86_400)


def test_http_defaults() -> None:
    target = only_target("    kind: http\n    url: https://portal.example/\n")
    assert isinstance(target, HttpTarget)
    assert (target.method, target.headers, target.body) == ("GET", {}, None)
    assert (target.follow_redirects, target.valid_status_codes) == (True, ())
    assert (target.body_contains, target.body_regex, target.body_json) == (None, None, None)
    assert (target.verify_tls, target.min_cert_validity) == (True, None)


def test_tcp_settings_reach_the_model() -> None:
    target = only_target(
        "    kind: tcp\n    host: mail.example\n    port: 465\n    tls: true\n"
        '    verify_tls: false\n    send: "EHLO slawatch\\r\\n"\n    expect: "250"\n'
    )
    assert isinstance(target, TcpTarget)
    assert (target.tls, target.verify_tls) == (True, False)
    assert (target.send, target.expect) == ("EHLO slawatch\r\n", "250")


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("9.9.9.9", Address("9.9.9.9", 53)),
        ("127.0.0.1:5353", Address("127.0.0.1", 5353)),
        ("'2001:db8::53'", Address("2001:db8::53", 53)),
        ("'[::1]:5353'", Address("::1", 5353)),
    ],
    ids=["ipv4", "ipv4-port", "ipv6", "ipv6-port"],
)
def test_resolver_addresses(written: str, address: Address) -> None:
    target = only_target(
        f"    kind: dns\n    query_name: portal.example\n    resolver: {written}\n"
    )
    assert isinstance(target, DnsTarget)
    assert target.resolver == address


@pytest.mark.parametrize(
    ("record_type", "written", "canonical"),
    [
        ("a", "192.0.2.10", "192.0.2.10"),
        ("AAAA", "2001:DB8::10", "2001:db8::10"),
        ("CNAME", "portal.example", "portal.example."),
        ("MX", "10 mx.example.", "10 mx.example."),
        ("TXT", "v=spf1", '"v=spf1"'),
    ],
    ids=["a-lowercase-type", "aaaa", "cname-relative", "mx", "txt"],
)
def test_expected_answers_are_kept_as_the_wire_prints_them(
    record_type: str, written: str, canonical: str
) -> None:
    target = only_target(
        "    kind: dns\n    query_name: portal.example\n"
        f"    record_type: {record_type}\n    expected_answers: ['{written}']\n"
    )
    assert isinstance(target, DnsTarget)
    assert (target.record_type, target.expected_answers) == (record_type.upper(), (canonical,))


def test_heartbeat_grace() -> None:
    target = only_target("    kind: heartbeat\n    interval: 1d\n    grace: 1h\n")
    assert isinstance(target, HeartbeatTarget)
    assert target.grace == 3_600


HTTP = "    kind: http\n    url: https://x.example/\n"
TCP = "    kind: tcp\n    host: db\n    port: 5432\n"
DNS = "    kind: dns\n    query_name: x.example\n"

# (id, target text, the whole ConfigError message)
ERRORS = [
    (
        "method",
        HTTP + "    method: FETCH\n",
        "c.yaml:5: targets[0].method: must be 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE' or 'OPTIONS' (got FETCH; e.g. GET)",
    ),
    (
        "header-name",
        HTTP + "    headers: {Bad Header: x}\n",
        "c.yaml:5: targets[0].headers: not an HTTP header name: 'Bad Header' (use letters, digits and !#$%&'*+.^_`|~-) (e.g. {Authorization: Bearer ${PORTAL_TOKEN}})",
    ),
    (
        "header-env-syntax",
        HTTP + "    headers: {X-Token: '${TOKEN'}\n",
        "c.yaml:5: targets[0].headers.X-Token: write environment variables as ${NAME} (got ${TOKEN; e.g. Bearer ${PORTAL_TOKEN})",
    ),
    (
        "header-two-lines",
        HTTP + '    headers: {X-Token: "a\\nb"}\n',
        "c.yaml:5: targets[0].headers.X-Token: must be one line (got a\nb)",
    ),
    (
        "status-code-range",
        HTTP + "    valid_status_codes: [99, 200]\n",
        "c.yaml:5: targets[0].valid_status_codes[0]: must be greater than or equal to 100 (got 99)",
    ),
    (
        "status-codes-empty",
        HTTP + "    valid_status_codes: []\n",
        "c.yaml:5: targets[0].valid_status_codes: must not be empty (e.g. [200, 204])",
    ),
    (
        "regex",
        HTTP + "    body_regex: '('\n",
        "c.yaml:5: targets[0].body_regex: must be a regular expression: missing ), unterminated subpattern at position 0 (got (; e.g. version: [0-9.]+)",
    ),
    (
        "json-path",
        HTTP + "    body_json: {path: a..b, equals: 1}\n",
        "c.yaml:5: targets[0].body_json.path: must be keys separated by dots, with list items by index (got a..b; e.g. status.database)",
    ),
    (
        "json-equals-missing",
        HTTP + "    body_json: {path: status}\n",
        "c.yaml:5: targets[0].body_json.equals: required key missing (e.g. ok)",
    ),
    (
        "yes-is-not-a-boolean",
        HTTP + "    follow_redirects: yes\n",
        "c.yaml:5: targets[0].follow_redirects: must be a valid boolean (got yes; e.g. false)",
    ),
    (
        "cert-validity-unit",
        HTTP + "    min_cert_validity: 14\n",
        "c.yaml:5: targets[0].min_cert_validity: a duration needs a unit: d, h, m, s or ms (got 14; e.g. 14s, 14m or 14h)",
    ),
    (
        "tls-settings-without-tls",
        TCP + "    verify_tls: false\n    min_cert_validity: 14d\n",
        "c.yaml:6: targets[0].verify_tls: needs tls: true (got false)\nc.yaml:7: targets[0].min_cert_validity: needs tls: true (got 14d)",
    ),
    (
        "empty-send",
        TCP + "    send: ''\n",
        "c.yaml:6: targets[0].send: string should have at least 1 character (got ''; e.g. PING\\r\\n)",
    ),
    (
        "resolver-name",
        DNS + "    resolver: dns.google\n",
        "c.yaml:5: targets[0].resolver: must be an IP address, IP:PORT or [IPv6]:PORT (got dns.google; e.g. 9.9.9.9 or 127.0.0.1:5353)",
    ),
    (
        "resolver-port",
        DNS + "    resolver: 127.0.0.1:70000\n",
        "c.yaml:5: targets[0].resolver: port must be 1..65535 (got 127.0.0.1:70000; e.g. 127.0.0.1:5353)",
    ),
    (
        "record-type-unknown",
        DNS + "    record_type: FOO\n",
        "c.yaml:5: targets[0].record_type: must be a DNS record type such as A, AAAA, CNAME, MX or TXT (got FOO; e.g. AAAA)",
    ),
    (
        "record-type-meta",
        DNS + "    record_type: ANY\n",
        "c.yaml:5: targets[0].record_type: must be a record type, not a query type such as ANY (got ANY; e.g. A)",
    ),
    (
        "answer-of-another-type",
        DNS + "    expected_answers: [192.0.2.1, portal.example]\n",
        "c.yaml:5: targets[0].expected_answers[1]: must be a record of type A: Text input is malformed. (got portal.example; e.g. 192.0.2.10)",
    ),
    (
        "negative-grace",
        "    kind: heartbeat\n    grace: -1s\n",
        "c.yaml:4: targets[0].grace: must be >= 0 s (got -1s; e.g. 1h)",
    ),
    (
        "send-on-tls-kind",
        "    kind: tls\n    host: db\n    port: 636\n    send: x\n",
        "c.yaml:6: targets[0].send: unknown key (valid keys here: name, interval, confirm_after, locations, timeout, degraded_above, verify_tls, min_cert_validity, kind, host, port)",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS]
)
def test_each_rule_gives_its_message(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(HEAD + text, "c.yaml")
    assert str(caught.value) == expected
