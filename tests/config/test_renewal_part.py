"""A contract's renewal part and ``agent.smtp``: one valid fixture, one mutation per rule."""

from datetime import date
from decimal import Decimal

import pytest

from slawatch.config import ConfigError, parse_config
from slawatch.config.errors import PartMissingError
from slawatch.config.renewals import Channel
from slawatch.sla.renewals import LicenceKind, RenewalTerms

VALID = """\
agent:
  smtp:
    host: smtp.example.com
    sender: slawatch@example.com
targets:
  - name: web
    kind: http
    url: https://portal.example/
contracts:
  - name: portal
    service: {targets: [web]}
    timezone: Europe/Paris
    period: month
    target: 99.5
  - name: licence
    timezone: Europe/Paris
    renewal:
      expires: 2027-03-31
      licence: perpetual-maintenance
      price: {amount: 1200, currency: EUR}
      account: ACC-1
      renewal_id: RN-1
      product: Acronis Cyber Protect
      sku: SKU-1
      notices:
        channels: [smtp]
        recipients: [it@example.com]
"""

# (id, text to replace, replacement, the whole ConfigError message)
CASES = [
    (
        "impossible-expiry",
        "expires: 2027-03-31",
        "expires: 2027-02-30",
        "config.yaml:18: contracts[1].renewal.expires: not a date: February 2027 has 28 days (got 2027-02-30; e.g. 2027-02-28)",
    ),
    (
        "expiry-in-month-13",
        "expires: 2027-03-31",
        "expires: 2027-13-01",
        "config.yaml:18: contracts[1].renewal.expires: not a date: years start at 0001, months run 01..12 (got 2027-13-01; e.g. 2027-03-31)",
    ),
    (
        "expiry-not-a-date",
        "expires: 2027-03-31",
        "expires: next spring",
        "config.yaml:18: contracts[1].renewal.expires: must be a date YYYY-MM-DD (got next spring; e.g. 2027-03-31)",
    ),
    (
        "starts-after-expiry",
        "expires: 2027-03-31",
        "expires: 2027-03-31\n      starts: 2027-04-01",
        "config.yaml:19: contracts[1].renewal.starts: must be on or before expires (2027-03-31) (got 2027-04-01; e.g. 2026-04-01)",
    ),
    (
        "unknown-licence",
        "licence: perpetual-maintenance",
        "licence: perpetual",
        "config.yaml:19: contracts[1].renewal.licence: must be 'perpetual-maintenance' or 'subscription' (got perpetual; e.g. perpetual-maintenance)",
    ),
    (
        "free-price",
        "amount: 1200",
        "amount: 0",
        "config.yaml:20: contracts[1].renewal.price.amount: must be greater than 0 (got 0; e.g. 1200)",
    ),
    (
        "lowercase-currency",
        "currency: EUR}\n      account",
        "currency: eur}\n      account",
        "config.yaml:20: contracts[1].renewal.price.currency: must be an ISO 4217 code in capitals (got eur; e.g. EUR)",
    ),
    (
        "no-sku",
        "      sku: SKU-1\n",
        "",
        "config.yaml:17: contracts[1].renewal.sku: required key missing (e.g. PCWBHILOS21)",
    ),
    (
        "empty-account",
        "account: ACC-1",
        "account: ''",
        "config.yaml:21: contracts[1].renewal.account: string should have at least 1 character (got ''; e.g. ACC-1234567)",
    ),
    (
        "smtp-without-recipients",
        "        recipients: [it@example.com]\n",
        "",
        "config.yaml:25: contracts[1].renewal.notices.recipients: required with channel smtp (e.g. [renewals@example.com])",
    ),
    (
        "webhook-without-url",
        "channels: [smtp]",
        "channels: [smtp, webhook]",
        "config.yaml:25: contracts[1].renewal.notices.webhook: required with channel webhook (e.g. https://chat.example.com/hooks/x)",
    ),
    (
        "webhook-url-without-channel",
        "        recipients: [it@example.com]\n",
        "        recipients: [it@example.com]\n        webhook: https://chat.example/hook\n",
        "config.yaml:28: contracts[1].renewal.notices.webhook: only used with channel webhook (add it to channels) (got https://chat.example/hook)",
    ),
    (
        "channel-twice",
        "channels: [smtp]",
        "channels: [smtp, smtp]",
        "config.yaml:26: contracts[1].renewal.notices.channels[1]: listed twice (got smtp)",
    ),
    (
        "unknown-channel",
        "channels: [smtp]",
        "channels: [sms]",
        "config.yaml:26: contracts[1].renewal.notices.channels[0]: must be 'smtp' or 'webhook' (got sms)",
    ),
    (
        "bad-recipient",
        "[it@example.com]",
        "[it.example.com]",
        "config.yaml:27: contracts[1].renewal.notices.recipients[0]: must be an e-mail address (got it.example.com; e.g. renewals@example.com)",
    ),
    (
        "smtp-without-server",
        "agent:\n  smtp:\n    host: smtp.example.com\n    sender: slawatch@example.com\n",
        "",
        "config.yaml:22: contracts[1].renewal.notices.channels[0]: smtp needs agent.smtp, the server that sends the notices (got smtp; e.g. agent: {smtp: {host: smtp.example.com, sender: slawatch@example.com}})",
    ),
    (
        "smtp-bad-port",
        "    sender: slawatch@example.com\n",
        "    sender: slawatch@example.com\n    port: 0\n",
        "config.yaml:5: agent.smtp.port: must be greater than or equal to 1 (got 0; e.g. 587)",
    ),
    (
        "smtp-password-in-the-file",
        "    sender: slawatch@example.com\n",
        "    sender: slawatch@example.com\n    password: hunter2!\n",
        "config.yaml:5: agent.smtp.password: must name an environment variable: letters, digits and _, not a digit first (got hunter2!; e.g. SLAWATCH_API_TOKEN)",
    ),
    (
        "no-part-at-all",
        "    renewal:\n",
        "    renewl:\n",
        "config.yaml:17: contracts[1].renewl: unknown key (did you mean renewal? valid keys here: name, description, service, timezone, period, reference, monitoring_since, maintenance, exclusions_count_as, unknown_time, min_coverage, target, credits, claims_required, claim_window, credit_cap, outage_limits, fee, renewal, support, clauses, report)",
    ),
    (
        "stray-availability-key",
        "  - name: licence\n",
        "  - name: licence\n    fee: {amount: 10, currency: EUR}\n",
        "config.yaml:16: contracts[1].fee: only used in an availability part (service, period and target)",
    ),
    (
        "half-an-availability-part",
        "    target: 99.5\n",
        "",
        "config.yaml:10: contracts[0].target: required key missing: an availability part needs service, period and target (e.g. 99.7)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_each_mutation_gives_its_message(old: str, new: str, expected: str) -> None:
    assert VALID.count(old) == 1, "the mutation must touch exactly one place"
    with pytest.raises(ConfigError) as caught:
        parse_config(VALID.replace(old, new), "config.yaml")
    assert str(caught.value) == expected


def test_a_contract_with_no_part_promises_nothing() -> None:
    text = VALID.replace("    renewal:\n", "    xrenewal:\n").split("    xrenewal:")[0]
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "config.yaml")
    assert str(caught.value) == (
        "config.yaml:15: contracts[1]: needs an availability part (service, period and target), "
        "a support part (support) or a renewal part (renewal)"
    )


def test_the_valid_fixture_loads_into_the_core_terms() -> None:
    config = parse_config(VALID, "config.yaml")
    licence = config.contract("licence")
    assert licence.renewal_terms() == RenewalTerms(
        date(2027, 3, 31),
        LicenceKind.PERPETUAL_MAINTENANCE,
        Decimal(1200),
        "EUR",
        date(2026, 4, 1),  # a one-year term by default
    )
    assert licence.renewal is not None and licence.renewal.notices is not None
    assert licence.renewal.notices.channels == (Channel.SMTP,)
    assert licence.renewal.licences == 1
    assert [c.name for c in config.availability_contracts()] == ["portal"]
    assert [c.name for c in config.renewal_contracts()] == ["licence"]
    assert config.readers() == {"web": ("portal",)}
    smtp = config.agent.smtp
    assert smtp is not None
    assert (smtp.port, smtp.starttls, smtp.username, smtp.password, smtp.timeout) == (
        587,
        True,
        "SLAWATCH_SMTP_USERNAME",
        "SLAWATCH_SMTP_PASSWORD",
        30,
    )


def test_parts_are_asked_for_by_name() -> None:
    config = parse_config(VALID, "config.yaml")
    with pytest.raises(PartMissingError) as caught:
        config.contract("licence").terms()
    assert str(caught.value) == (
        "contract 'licence' has no availability part (service, period and target)"
    )
    assert isinstance(caught.value, LookupError)
    with pytest.raises(PartMissingError, match="'portal' has no renewal part"):
        config.contract("portal").renewal_terms()


def test_a_29_february_expiry_starts_on_1_march() -> None:
    text = VALID.replace("expires: 2027-03-31", "expires: 2028-02-29")
    terms = parse_config(text, "config.yaml").contract("licence").renewal_terms()
    assert (terms.expires, terms.starts) == (date(2028, 2, 29), date(2027, 3, 1))
