"""The config file format: the one place that says what each key means.

A config is one YAML document. Every mapping accepts only the keys below (an
unknown key is an error, not a silent no-op); a key with a default may be left
out. Defaults live in ``slawatch.config.defaults``.

Durations are whole numbers with units, largest first: ``30s``, ``5m``, ``1h30m``,
``2d``, ``500ms``; a bare number is an error (``60`` could be seconds or minutes).
Percentages are read from their decimal text (``99.7`` is exactly 997/10).
Scalars follow YAML 1.2: only ``true``/``false`` are booleans (``NO`` is Norway).

.. code-block:: yaml

    database:
      url: sqlite:///slawatch.db         # default; or postgresql+psycopg://user:pw@host/db;
                                         # a relative SQLite path is read from this file's
                                         # folder; changed by a restart, not a reload
    agent:
      listen: 127.0.0.1:9115             # default; HOST:PORT of /metrics and the API;
                                         # changed by a restart, not a reload
      location: paris                    # default "" (the unnamed location): where this
                                         # agent probes from; its samples are stored
                                         # under it; changed by a restart, not a reload
      control_targets: [resolver]        # default []; names of targets (each counts every
                                         # failure: confirm_after is 1 for them). While all of them
                                         # fail, other targets are unknown, not down
      api_tokens:                        # default {api: SLAWATCH_API_TOKEN}: who may write
        api: SLAWATCH_API_TOKEN          # through the HTTP API: NAME (the audit log's actor) ->
                                         # the environment variable holding its bearer token;
                                         # with none set, the API refuses writes
      workers: 2                         # default 1, 1..64: processes that probe. From 2 on,
                                         # the targets are shared out over that many worker
                                         # processes (one core each, ~800 HTTP probes/s);
                                         # changed by a restart, not a reload
      shard: 2/4                         # default 1/1: this agent probes shard I of N (from 1)
                                         # of the targets, by a stable hash of their names
                                         # (docs/scaling.md); control targets are probed by
                                         # every shard
      spool_dir: /var/lib/slawatch/spool # default: next to an SQLite database file
                                         # (slawatch.db.spool), else ./slawatch-spool: where
                                         # samples wait, on disk, until the database has them
      spool_max_bytes: 1073741824        # default 1 GiB, >= 1 MiB: past it, new samples are
                                         # dropped (counted and logged) until the database
                                         # catches up; changed by a restart, not a reload
      smtp:                              # optional; required when a renewal's notices
                                         # go by e-mail (channel smtp)
        host: smtp.example.com           # required, host name or IP address
        port: 587                        # default 587 (submission)
        sender: slawatch@example.com     # required, the From address
        starttls: true                   # default true: upgrade the connection first
        username: SLAWATCH_SMTP_USERNAME # default: the variables holding the login;
        password: SLAWATCH_SMTP_PASSWORD #   unset or empty user name: no login
        timeout: 30s                     # default 30s, per exchange with the server
    targets:                             # at least one
      - name: cegid-portal-web           # required, unique, [a-z0-9][a-z0-9._-]*
        kind: http                       # required: http | tcp | dns | tls | heartbeat
        url: https://portal.example.com/ # http: required, http:// or https://
        interval: 60s                    # default 60s, > 0; for heartbeat: how often it
                                         # must report in
        timeout: 10s                     # default 10s, < interval (not for heartbeat)
        confirm_after: 2                 # default 2, >= 1: consecutive failures that
                                         # make an outage
        degraded_above: 2s               # optional (not for heartbeat): a slower answer
                                         # counts as failed
        locations:                       # optional: when probed from several places
          rule: {quorum: 2}              # default majority (of the expected locations, or
                                         # of those that sent samples); all | any | {quorum: K}
          expected: [paris, frankfurt, virginia]  # default []: the locations that count
        method: GET                      # http: default GET; HEAD, POST, PUT, PATCH,
                                         # DELETE or OPTIONS
        headers:                         # http: default {}; ${NAME} is read from the
          Authorization: Bearer ${PORTAL_TOKEN}  # agent's environment at each probe,
                                         # never stored; a missing one is a probe error
        body: '{"ping": true}'           # http: optional, the request body
        follow_redirects: true           # http: default true
        valid_status_codes: [200, 204]   # http: default any 2xx
        body_contains: Welcome           # http: optional, text the body must contain
        body_regex: "v[0-9]+[.][0-9]+"   # http: optional, a Python regex found in the body
        body_json: {path: status.database, equals: ok}  # http: optional, the JSON value at
                                         # a dotted path (list items by index: checks.0.up)
                                         # must equal this. Body conditions read the first MiB
        verify_tls: true                 # http, tls, tcp with tls: default true, the
                                         # certificate must be trusted and fit the host
        min_cert_validity: 14d           # http, tls, tcp with tls: optional, fail when the
                                         # certificate expires sooner
      - name: resolver
        kind: dns
        query_name: example.com          # dns: required, the name to resolve
        resolver: 9.9.9.9                # dns: default the first nameserver of
                                         # /etc/resolv.conf; IP, IP:PORT or [IPv6]:PORT
        record_type: A                   # dns: default A
        expected_answers: [192.0.2.10]   # dns: default []; records that must be in the
                                         # answer (more are fine); code NOERROR is required
      - name: database
        kind: tcp                        # tls: host, port, verify_tls and min_cert_validity
        host: db.example.com             # tcp, tls: required, host name or IP address
        port: 5432                       # tcp, tls: required, 1..65535
        tls: false                       # tcp: default false; true to handshake first
        send: "PING\\r\\n"                 # tcp: optional, sent once connected
        expect: "+PONG"                  # tcp: optional, text the peer must send back
      - name: nightly-export
        kind: heartbeat                  # the job reports in; nothing to probe
        interval: 1d
        grace: 1h                        # heartbeat: default 0s, how late a ping may be
    contracts:                           # default []
      - name: cegid-portal               # required, unique, [a-z0-9][a-z0-9._-]*
        description: Portail Cegid.com   # optional
        service:                         # required
          targets: [cegid-portal-web]    # required, at least one, each defined in targets
          rule: all                      # default all; any | {quorum: K}, 1 <= K <= targets
        timezone: Europe/Paris           # required, an IANA zone
        period: month                    # required: month | year | {contract_year: 2026-03-15}
        monitoring_since: 2026-10-14     # optional; a date (local midnight) or an instant:
                                         # time before it is not reference time (default:
                                         # the first sample of the contract's targets)
        reference:                       # default 24x7; or weekly windows minus holidays:
          windows: ["mon-fri 07:00-20:00"]  # at least one; DAYS HH:MM-HH:MM, DAYS as
                                         # mon..sun, mon-fri, sat,sun or daily; a window
                                         # ending at or before its start ends the next day
          holidays: {country: FR}        # optional; subdiv: "57" for a region's extra ones
        maintenance:                     # optional
          notice: 48h                    # default 0s: how long before it opens a planned
                                         # window must be declared to qualify
          emergency_qualifies: true      # default false: emergency maintenance is excluded
          late_notice: counts            # default counts; excluded | as_emergency: what a
                                         # planned window declared too late becomes
          windows:                       # default []: recurring windows, which qualify as
                                         # planned (the config declares them long ahead)
            - weekly: "daily 20:00-07:00"
            - rrule: "FREQ=MONTHLY;BYDAY=1SU"   # iCalendar RRULE, with:
              dtstart: 2026-01-04T02:00  # required with rrule: local time, no offset
              duration: 4h               # required with rrule, > 0
        exclusions_count_as: available   # default available: A = (R-U-D)/(R-U);
                                         # removed: A = (R-X-U-D)/(R-X-U)
        unknown_time: excluded           # default excluded; up | down
        min_coverage: 95                 # default 95: percent of R observed for a report
                                         # to be billable without review
        target: 99.7                     # required, 0 < target <= 100: met when A >= target
        credits:                         # optional
          basis: downtime_minutes        # required: downtime_minutes | availability_percent
          tiers:                         # required, checked for gaps and overlaps
            - {up_to: 216, credit: 0}    # downtime_minutes: at most up_to minutes down,
            - {up_to: 2160, credit: 25}  #   increasing; the last row has no up_to
            - {credit: 100 - A}          # credit: a percent 0..100 or the formula 100 - A
          # availability_percent rows: {from: 99.5, to: 100, credit: 0}, half-open
          # [from, to) ranges that tile 0..100 (the row ending at 100 includes 100)
        claims_required: true            # default false: credits only for outages the
                                         # customer reported (slawatch claim add)
        claim_window: {days: 30}         # optional, with claims_required: a claim recorded
                                         # later than N days after the outage ends (same
                                         # local wall time) is late: listed, not credited;
                                         # end_of_next_month: by the end of the month after
                                         # the one the outage ended in
        credit_cap: 50                   # optional, 0 < cap <= 100: the most a period's credit
                                         # may reach, in percent of the fee (needs credits or
                                         # a clause with a credit); never above 100 anyway
        outage_limits:                   # default []: outage-count clauses, judged on the
          - {longer_than: 30m, at_most: 3}  # outages' lengths after exclusions: at most
                                         # at_most (default 0) outages longer than
          - {longer_than: 4h, credit: 10}   # longer_than per period; credit (optional, 0..100)
                                         # is owed when broken, added to the tier's credit
        fee: {amount: 1000, currency: EUR}  # optional: per billing period; amount > 0,
                                         # currency an ISO 4217 code
        support:                         # optional: support-response terms (SPEC section 6)
          start_date: 2026-01-01         # required: when support began; an objective's
                                         # contract years count from it
          timezone: Europe/Paris         # default the contract's timezone
          calendar:                      # required: business hours, written like reference
            windows: ["mon-thu 09:00-12:30", "mon-thu 14:30-17:30", "fri 09:00-17:00"]
            holidays: {country: FR}      # (or 24x7); windows may not overlap
          priorities: [1, 2, 3]          # required: in the contract's words (critical...)
          targets:                       # required, at least one
            - name: take-in-charge       # required, unique
              start: opened              # default opened; responded | qualified
              stop: responded            # required: responded | qualified | resolved | closed
              priorities: [1, 2, 3]      # default all of the part's priorities
              business_time: 8h          # exactly one allowance: business_time (business
                                         # hours), business_days: N (the same wall time N
                                         # business days on) or wall_clock (e.g. 4h)
          objectives:                    # default []
            - name: take-in-charge-share # required, unique
              target: take-in-charge     # required, one of the targets
              threshold: 75              # required, 0 < threshold <= 100: the percent of
                                         # decided requests that must meet the target
              period: contract_year      # required: month | year | contract_year
          clauses:                       # optional: key -> the contract's article; keys are
            take-in-charge: "art. 13.2"  # this part's keys and its target and objective names
        clauses:                         # optional: key -> the contract's article, shown
          target: "art. 6"               # in reports; keys are this contract's own keys
                                         # (period, reference, ...) or exclusions
        report:                          # optional, over the global report: below, key by key
          locale: fr                     # fr | en: the reports' language (default: global's)
          branding: {customer: Client SA, reference: CTR-2026-042}
      - name: acronis-cyber-protect      # a contract needs an availability part (service,
        timezone: Europe/Paris           # period and target, as above), a renewal part, or both
        renewal:                         # optional: an item that expires (SPEC section 6)
          expires: 2027-03-31            # required, the last covered day (local date)
          starts: 2026-04-01             # default: a one-year term before expires;
                                         # nothing is renewed before it
          licence: perpetual-maintenance # required: perpetual-maintenance (30 days' grace,
                                         # then 20 % fee up to 12 months) | subscription
                                         # (30 days' grace, then lapsed)
          price: {amount: 1200, currency: EUR}  # required: one year's renewal, amount > 0
          account: ACC-1234567           # required, like renewal_id, product and sku:
          renewal_id: RN-7654321         #   what every notice names
          product: Acronis Cyber Protect
          sku: PCWBHILOS21
          licences: 1                    # default 1, >= 1
          notices:                       # optional: without it, no notice is sent
            channels: [smtp, webhook]    # default [smtp]
            recipients: [it@example.com] # required with smtp: e-mail addresses
            webhook: https://chat.example.com/hooks/renewals  # required with webhook:
                                         # a JSON POST per notice
    report:                              # optional: every contract's reports
      locale: fr                         # default en; fr | en: labels, numbers and dates
                                         # of the HTML, PDF, XLSX and CSV reports (never
                                         # the JSON); --locale overrides it
      branding:                          # optional: the header of HTML, PDF and XLSX
        provider: Example Hosting SAS    # optional, each of these four
        customer: Client SA
        reference: CTR-2026-042          # the contract's reference
        # logo: logo.png                 # a PNG or JPEG, read from this file's folder
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Self, TypeVar

from pydantic import Field, PlainValidator, field_validator, model_validator
from pydantic_core import InitErrorDetails

from slawatch.config import defaults
from slawatch.config.base import ConfigModel, Loc, error_at, invalid, raise_errors
from slawatch.config.contracts import Contract
from slawatch.config.database_url import backend_name, sqlite_beside
from slawatch.config.errors import UnknownNameError, closest, listing
from slawatch.config.fields import Location, Name, NonEmpty, Variable
from slawatch.config.renewals import Channel
from slawatch.config.report_settings import ReportSettings
from slawatch.config.shards import Shard, parse_shard
from slawatch.config.smtp import Smtp
from slawatch.config.targets import AnyTarget, Target
from slawatch.sla.locations import MAJORITY, LocationRule
from slawatch.sla.timeline import TimelineRule

_BACKENDS = ("sqlite", "postgresql")


class Database(ConfigModel):
    """Where results, maintenance, exclusions and claims are stored."""

    url: str = Field(
        default=defaults.DATABASE_URL,
        examples=["postgresql+psycopg://slawatch@db.example/slawatch"],
    )

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        try:
            backend = backend_name(value)
        except ValueError:
            raise invalid("must be a database URL") from None
        if backend not in _BACKENDS:
            raise invalid(f"must be a {' or '.join(_BACKENDS)} URL")
        return value

    def beside(self, folder: str) -> Database:
        """This setting with a relative SQLite path read from ``folder`` (the config
        file's): a config names its database the same whichever folder a command
        runs from. Other URLs, absolute paths and ``:memory:`` are kept as written."""
        url = sqlite_beside(self.url, folder)
        return self if url == self.url else Database(url=url)


def _shard(value: object) -> Shard:
    if isinstance(value, Shard):
        return value
    if not isinstance(value, str):
        raise invalid("must be I/N, this agent's shard I of N")
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise invalid(str(exc)) from None


class Agent(ConfigModel):
    """The daemon: where it serves ``/metrics`` and the API, its control targets, and
    where the API's write tokens are (never in the file itself), and how many
    processes probe."""

    listen: str = Field(default=defaults.LISTEN, examples=["127.0.0.1:9115"])
    location: Location = Field(default="", examples=["paris"])
    control_targets: tuple[str, ...] = Field(default=(), examples=["[resolver]"])
    api_tokens: dict[Name, Variable] = Field(
        default_factory=lambda: dict(defaults.API_TOKENS), examples=["{api: SLAWATCH_API_TOKEN}"]
    )
    workers: int = Field(default=defaults.WORKERS, ge=1, le=64, strict=True, examples=[2])
    shard: Annotated[Shard, PlainValidator(_shard)] = Field(default=Shard(1, 1), examples=["2/4"])
    spool_dir: Path | None = Field(default=None, examples=["/var/lib/slawatch/spool"])
    spool_max_bytes: int = Field(
        default=defaults.SPOOL_MAX_BYTES, ge=1 << 20, strict=True, examples=[1 << 30]
    )
    smtp: Smtp | None = None

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not (host and port.isdigit() and 0 < int(port) < 65536):
            raise invalid("must be HOST:PORT")
        return value


class Config(ConfigModel):
    """A whole config file."""

    database: Database = Field(default_factory=Database)
    agent: Agent = Field(default_factory=Agent)
    targets: Annotated[tuple[Target, ...], NonEmpty]
    contracts: tuple[Contract, ...] = ()
    report: ReportSettings = Field(default_factory=ReportSettings)

    @classmethod
    def raw_errors(cls, data: object) -> list[InitErrorDetails]:
        """Names used twice and names that point nowhere, found in the raw input so
        that they are reported even when other parts of the file are invalid."""
        if not isinstance(data, dict):
            return []
        targets = _names(data.get("targets"))
        errors = _duplicates("targets", targets) + _duplicates(
            "contracts", _names(data.get("contracts"))
        )
        known = _Known({name for _, name in targets})
        errors += known.dangling(
            ("agent", "control_targets"), _dig(data, "agent", "control_targets")
        )
        contracts = data.get("contracts")
        for i, contract in enumerate(contracts if isinstance(contracts, list) else []):
            loc = ("contracts", i, "service", "targets")
            errors += known.dangling(loc, _dig(contract, "service", "targets"))
        return errors

    @model_validator(mode="after")
    def _mail_has_a_server(self) -> Self:
        """A renewal whose notices go by e-mail needs ``agent.smtp`` to send them."""
        if self.agent.smtp is not None:
            return self
        errors = [
            error_at(
                ("contracts", i, "renewal", "notices", "channels", j),
                "smtp needs agent.smtp, the server that sends the notices",
                "agent: {smtp: {host: smtp.example.com, sender: slawatch@example.com}}",
            )
            for i, contract in enumerate(self.contracts)
            for j, channel in enumerate(_channels(contract))
            if channel is Channel.SMTP
        ]
        if errors:
            raise_errors(errors)
        return self

    def contract(self, name: str) -> Contract:
        """The contract called ``name``; ``UnknownNameError`` lists the known ones."""
        for contract in self.contracts:
            if contract.name == name:
                return contract
        raise UnknownNameError("contract", name, (c.name for c in self.contracts))

    def report_settings(self, name: str) -> ReportSettings:
        """The language and branding of the contract ``name``'s reports: its own
        ``report`` part over the config's."""
        return self.contract(name).report.over(self.report)

    def availability_contracts(self) -> tuple[Contract, ...]:
        """The contracts with an availability part: those that reports and metrics cover."""
        return tuple(c for c in self.contracts if c.has_availability)

    def renewal_contracts(self) -> tuple[Contract, ...]:
        """The contracts with a renewal part, in the config's order."""
        return tuple(c for c in self.contracts if c.renewal is not None)

    def timeline_rules(self) -> dict[str, TimelineRule]:
        """Every target's rule for turning samples into its timeline. Control targets
        count every failure (``confirm_after`` 1): a single failed check of the agent's
        own network is enough to void what the other targets found meanwhile."""
        control = set(self.agent.control_targets)
        return _shared(
            {
                t.name: replace(t.timeline_rule(), confirm_after=1)
                if t.name in control
                else t.timeline_rule()
                for t in self.targets
            }
        )

    def location_rules(self) -> dict[str, LocationRule]:
        """Each target's rule for combining its locations' timelines, one rule per
        ``locations`` object; a target whose rule is the core's default (``MAJORITY``,
        that of every target without the key) is left out: most are, and the agent
        holds this for its life."""
        by_object: dict[int, LocationRule] = {}  # the objects outlive this call
        kept = {}
        for t in self.targets:
            rule = by_object.get(id(t.locations)) or by_object.setdefault(
                id(t.locations), t.location_rule()
            )
            if rule != MAJORITY:
                kept[t.name] = rule
        return _shared(kept)

    def probed_targets(self) -> tuple[AnyTarget, ...]:
        """The targets this agent probes: those of its shard (``agent.shard``), and
        every control target (each shard must see its own network fail)."""
        shard, control = self.agent.shard, set(self.agent.control_targets)
        if shard.count == 1:  # the default: every target, without a test of each
            return self.targets
        return tuple(t for t in self.targets if t.name in control or shard.owns(t.name))

    def readers(self) -> dict[str, tuple[str, ...]]:
        """Per target that some contract reads, the contracts whose figures read its
        timeline: those over it, and every contract for a control target (its failures
        mask the others'). A target no contract reads is left out."""
        found: dict[str, list[str]] = defaultdict(list)
        for contract in self.contracts:  # one pass: 50,000 targets x 1,000 contracts is common
            for target in contract.service_targets:
                found[target].append(contract.name)
        everyone = [c.name for c in self.availability_contracts()]
        for target in self.agent.control_targets:
            found[target] = everyone
        return {target: tuple(dict.fromkeys(names)) for target, names in found.items() if names}

    def target(self, name: str) -> AnyTarget:
        """The target called ``name``; ``UnknownNameError`` lists the known ones."""
        try:
            return self._targets_by_name[name]
        except KeyError:
            raise UnknownNameError("target", name, (t.name for t in self.targets)) from None

    def own_name(self, name: str) -> str:
        """The config's own string for the target ``name`` (``name`` if it has none):
        for what keeps a name for the agent's life, rather than an equal copy."""
        target = self._targets_by_name.get(name)
        return name if target is None else target.name

    @cached_property
    def _targets_by_name(self) -> dict[str, AnyTarget]:
        """Built once: the agent looks a target up on every probe."""
        return {t.name: t for t in self.targets}


_Rule = TypeVar("_Rule", TimelineRule, LocationRule)


def _shared(rules: dict[str, _Rule]) -> dict[str, _Rule]:
    """``rules`` with one object for each distinct rule: the agent holds these for its
    life, and 50,000 targets have a handful of distinct rules, not 50,000."""
    kept: dict[_Rule, _Rule] = {}
    by_object: dict[int, _Rule] = {}  # most targets hold one object already: no hash of it
    shared = {}
    for name, rule in rules.items():
        one = by_object.get(id(rule))
        if one is None:
            one = by_object[id(rule)] = kept.setdefault(rule, rule)
        shared[name] = one
    return shared


def _channels(contract: Contract) -> tuple[Channel, ...]:
    notices = None if contract.renewal is None else contract.renewal.notices
    return () if notices is None else notices.channels


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _names(items: object) -> list[tuple[int, str]]:
    """``(index, name)`` of the items that have a text name; pydantic reports the rest."""
    if not isinstance(items, list):
        return []
    return [
        (i, item["name"])
        for i, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]


def _duplicates(section: str, named: list[tuple[int, str]]) -> list[InitErrorDetails]:
    first: dict[str, int] = {}
    errors = []
    for i, name in named:
        if name in first:
            message = f"already used by {section}[{first[name]}]; names must be unique"
            errors.append(error_at((section, i, "name"), message))
        first.setdefault(name, i)
    return errors


class _Known:
    """The target names a config defines, to check the names that refer to them."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def dangling(self, loc: Loc, names: object) -> list[InitErrorDetails]:
        """An error for each name in ``names`` (a list at ``loc``) that is no target."""
        if not isinstance(names, list):
            return []
        return [
            error_at((*loc, j), self._message, closest(name, self.names))
            for j, name in enumerate(names)
            if isinstance(name, str) and name not in self.names
        ]

    @cached_property
    def _message(self) -> str:
        # Once, and only when a name is unknown: listing 50,000 names for each of
        # 1,000 contracts took a minute.
        return (
            f"unknown target (targets: {listing(self.names)})" if self.names else "unknown target"
        )
