"""A contract's terms as written in the config, validated into the core's types.

Validation builds the core objects themselves (``WeeklyWindow.parse``,
``RRuleWindow``, ``Holidays``, ``TierTable``), so the core's own checks apply and
their messages reach the user at the right line. Percentages arrive as
``Decimal`` from their decimal text and become ``Fraction`` exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Self

from pydantic import Field, PlainValidator, field_validator, model_validator
from pydantic_core import InitErrorDetails

from slawatch.config import defaults
from slawatch.config.base import ConfigModel, error_at, invalid, raise_errors, unknown_key_at
from slawatch.config.calendars import Reference
from slawatch.config.credit_terms import OutageLimitRow, parse_claim_window
from slawatch.config.errors import PartMissingError
from slawatch.config.fields import (
    Currency,
    Name,
    NonEmpty,
    Seconds,
    SecondsOrZero,
    Weekly,
    Zone,
    parse_day,
    parse_rule,
)
from slawatch.config.renewals import Renewal
from slawatch.config.report_settings import ReportSettings
from slawatch.config.support import Support
from slawatch.sla.calendar import RRuleWindow, WeeklyWindow
from slawatch.sla.claims import ClaimWindow
from slawatch.sla.contract import ContractTerms, Formula, UnknownPolicy
from slawatch.sla.contract import Fee as FeeTerms
from slawatch.sla.credits import (
    AvailabilityTier,
    CreditBasis,
    DowntimeTier,
    Tier,
    TierError,
    TierTable,
)
from slawatch.sla.exclusions import LateNotice, MaintenancePolicy
from slawatch.sla.periods import PeriodKind, PeriodRule
from slawatch.sla.renewals import RenewalTerms
from slawatch.sla.service import ALL, Rule

FORMULA = "100 - A"  # the credit that IPfolio's last tier gives


class Service(ConfigModel):
    """The targets a contract covers and how their states combine (SPEC section 2)."""

    targets: Annotated[tuple[str, ...], NonEmpty] = Field(examples=["[cegid-portal-web]"])
    rule: Annotated[Rule, PlainValidator(parse_rule)] = Field(default=ALL, examples=["all"])

    @field_validator("targets")
    @classmethod
    def _each_once(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        # Listed twice, a target would count twice towards a quorum.
        twice = [i for i, name in enumerate(names) if name in names[:i]]
        if twice:
            raise_errors([error_at((i,), "listed twice in this service") for i in twice])
        return names

    @model_validator(mode="after")
    def _quorum_fits(self) -> Self:
        count = len(self.targets)
        if self.rule.quorum is not None and self.rule.quorum > count:
            message = f"must be between 1 and {count}, the number of targets in the service"
            raise_errors([error_at(("rule", "quorum"), message, count)])
        return self


def _period(value: object) -> PeriodRule:
    if value in ("month", "year"):
        return PeriodRule(PeriodKind(str(value)))
    if isinstance(value, dict) and list(value) == ["contract_year"]:
        return PeriodRule(PeriodKind.CONTRACT_YEAR, _first_day(value["contract_year"]))
    raise invalid(
        "must be month, year or {contract_year: YYYY-MM-DD}", "{contract_year: 2026-03-15}"
    )


def _since(value: object) -> datetime | None:
    """``monitoring_since``: an instant (an offset, or read in the contract's zone) or a
    date (its local midnight); ``terms()`` places it in the zone."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise invalid("must be an ISO 8601 instant or a date", "2026-10-14T10:00:00+02:00")


def _first_day(value: object) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise_errors([error_at(("contract_year",), *exc.args)])


_RRULE_EXAMPLES = {"dtstart": "2026-01-04T02:00", "duration": "4h"}


class RecurringWindow(ConfigModel):
    """A maintenance window that repeats: weekly text, or an RRULE with a start and a
    duration. Written in the config, it counts as declared long ahead (planned)."""

    weekly: Weekly | None = Field(default=None, examples=["sat,sun 00:00-24:00"])
    rrule: str | None = Field(default=None, examples=["FREQ=MONTHLY;BYDAY=1SU"])
    dtstart: datetime | None = Field(default=None, examples=["2026-01-04T02:00"])
    duration: Seconds | None = Field(default=None, examples=["4h"])

    @field_validator("dtstart")
    @classmethod
    def _local(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise invalid("must be a local time without offset (read in the contract's zone)")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.weekly is None and self.rrule is None:
            raise invalid("needs weekly or rrule", 'weekly: "sat,sun 00:00-24:00"')
        errors = self._rrule_errors()
        if errors:
            raise_errors(errors)
        return self

    def _rrule_errors(self) -> list[InitErrorDetails]:
        if self.rrule is None:
            return [
                error_at((key,), "only used with rrule")
                for key in self._given("dtstart", "duration")
            ]
        if self.weekly is not None:
            return [error_at(("weekly",), "cannot be combined with rrule; write two items")]
        missing = [key for key in ("dtstart", "duration") if getattr(self, key) is None]
        if missing:
            return [
                error_at((key,), "required with rrule", _RRULE_EXAMPLES[key]) for key in missing
            ]
        try:
            self.window()
        except ValueError as exc:
            return [error_at(("rrule",), str(exc), "FREQ=MONTHLY;BYDAY=1SU")]
        return []

    def _given(self, *keys: str) -> list[str]:
        return [key for key in keys if getattr(self, key) is not None]

    def window(self) -> WeeklyWindow | RRuleWindow:
        if self.weekly is not None:
            return self.weekly
        assert self.rrule is not None and self.dtstart is not None and self.duration is not None
        return RRuleWindow(self.rrule, self.dtstart, self.duration)


class Maintenance(ConfigModel):
    """Which maintenance is excluded time (SPEC section 3)."""

    notice: SecondsOrZero = Field(default=defaults.NOTICE, examples=["48h"])
    emergency_qualifies: bool = Field(default=defaults.EMERGENCY_QUALIFIES, examples=["true"])
    late_notice: LateNotice = Field(default=defaults.LATE_NOTICE, examples=["counts"])
    windows: tuple[RecurringWindow, ...] = ()

    def policy(self) -> MaintenancePolicy:
        return MaintenancePolicy(self.notice, self.emergency_qualifies, self.late_notice)


def _credit(value: object) -> Fraction | None:
    if isinstance(value, str) and value.replace(" ", "") == FORMULA.replace(" ", ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    raise invalid(f"must be a percent 0..100 or the formula {FORMULA}", "25")


class TierRow(ConfigModel):
    """One row of a credit table; ``credit`` is ``None`` for the formula ``100 - A``."""

    up_to: Decimal | None = Field(default=None, ge=0, examples=["216"])
    from_: Decimal | None = Field(default=None, alias="from", ge=0, le=100, examples=["99.5"])
    to: Decimal | None = Field(default=None, ge=0, le=100, examples=["100"])
    credit: Annotated[Fraction | None, PlainValidator(_credit)] = Field(examples=["25"])

    def tier(self, basis: CreditBasis) -> Tier:
        if basis is CreditBasis.DOWNTIME_MINUTES:
            return DowntimeTier(_fraction(self.up_to), self.credit)
        return AvailabilityTier(_fraction(self.from_), _fraction(self.to), self.credit)


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


class Credits(ConfigModel):
    """Service credit tiers (SPEC section 4), checked by the core's ``TierTable``."""

    basis: CreditBasis = Field(examples=["downtime_minutes"])
    tiers: Annotated[tuple[TierRow, ...], NonEmpty] = Field(
        examples=["[{up_to: 216, credit: 0}, ...]"]
    )

    @model_validator(mode="after")
    def _valid_table(self) -> Self:
        errors = self._foreign_bounds()
        if not errors:
            try:
                self.table()
            except TierError as exc:
                errors = [_tier_error(exc)]
        if errors:
            raise_errors(errors)
        return self

    def _foreign_bounds(self) -> list[InitErrorDetails]:
        minutes = self.basis is CreditBasis.DOWNTIME_MINUTES
        foreign = {"from": "from_", "to": "to"} if minutes else {"up_to": "up_to"}
        message = f"not used with basis {self.basis} (use {'up_to' if minutes else 'from and to'})"
        return [
            error_at(("tiers", i, key), message)
            for i, row in enumerate(self.tiers)
            for key, attribute in foreign.items()
            if getattr(row, attribute) is not None
        ]

    def table(self) -> TierTable:
        return TierTable(self.basis, tuple(row.tier(self.basis) for row in self.tiers))


def _tier_error(exc: TierError) -> InitErrorDetails:
    """Place the core's tier error at its row and key."""
    row = () if exc.row is None else (exc.row,)
    key = () if exc.key is None else (exc.key,)
    return error_at(("tiers", *row, *key), exc.text)


class Fee(ConfigModel):
    """What the customer pays per billing period; credits are a percent of it."""

    amount: Decimal = Field(gt=0, examples=["1000"])
    currency: Currency = Field(examples=["EUR"])

    def terms(self) -> FeeTerms:
        return FeeTerms(self.amount, self.currency)


def _all_week() -> Reference:
    return Reference.model_validate(defaults.REFERENCE)


AVAILABILITY_PART = ("service", "period", "target")  # a contract measures uptime with all three
AVAILABILITY_KEYS = (
    *AVAILABILITY_PART,
    "reference",
    "maintenance",
    "exclusions_count_as",
    "unknown_time",
    "min_coverage",
    "credits",
    "claims_required",
    "claim_window",
    "credit_cap",
    "outage_limits",
    "fee",
)
_PART_WORDS = "availability part (service, period and target)"
_MISSING = "required key missing: an availability part needs service, period and target"


class Contract(ConfigModel):
    """One contract: what it promises, in parts (SPEC section 6). The availability
    part is the service it covers, how time counts, the target and credits; the
    support part its response targets; the renewal part an item that expires. A
    contract has at least one of them."""

    name: Name = Field(examples=["cegid-portal"])
    description: str = ""
    service: Service | None = None
    timezone: Zone = Field(examples=["Europe/Paris"])
    period: Annotated[PeriodRule, PlainValidator(_period)] | None = Field(
        default=None, examples=["month"]
    )
    reference: Reference = Field(default_factory=_all_week, examples=["24x7"])
    # Before it, the service was not watched: not reference time (default: the first
    # sample of the contract's targets).
    monitoring_since: Annotated[datetime | None, PlainValidator(_since)] = Field(
        default=None, examples=["2026-10-14T10:00:00+02:00"]
    )
    maintenance: Maintenance = Field(default_factory=Maintenance)
    exclusions_count_as: Formula = Field(
        default=defaults.EXCLUSIONS_COUNT_AS, examples=["available"]
    )
    unknown_time: UnknownPolicy = Field(default=defaults.UNKNOWN_TIME, examples=["excluded"])
    min_coverage: Decimal = Field(default=defaults.MIN_COVERAGE, ge=0, le=100, examples=["95"])
    target: Decimal | None = Field(default=None, gt=0, le=100, examples=["99.7"])
    credits: Credits | None = None
    claims_required: bool = Field(default=defaults.CLAIMS_REQUIRED, examples=["true"])
    claim_window: Annotated[ClaimWindow | None, PlainValidator(parse_claim_window)] = Field(
        default=None, examples=["{days: 30}"]
    )
    credit_cap: Decimal | None = Field(default=None, gt=0, le=100, examples=["50"])
    outage_limits: tuple[OutageLimitRow, ...] = ()
    fee: Fee | None = None
    renewal: Renewal | None = None
    support: Support | None = None  # SPEC section 6: response targets and objectives
    clauses: dict[str, str] = Field(default_factory=dict, examples=['{target: "art. 6"}'])
    report: ReportSettings = Field(default_factory=ReportSettings)  # over the config's own

    @field_validator("clauses")
    @classmethod
    def _known_clauses(cls, clauses: dict[str, str]) -> dict[str, str]:
        names = clause_names()
        errors = [unknown_key_at((key,), names) for key in clauses if key not in names]
        if errors:
            raise_errors(errors)
        return clauses

    @model_validator(mode="after")
    def _terms_that_act(self) -> Self:
        # A part with a key missing, or a key that can change nothing, is a mistake to
        # point out, not to ignore.
        errors = self._part_errors()
        if self.claim_window is not None and not self.claims_required:
            errors.append(error_at(("claim_window",), "only used with claims_required: true"))
        if self.credit_cap is not None and not self._credits_something():
            message = "needs credits, or an outage_limits clause with a credit, to cap"
            errors.append(error_at(("credit_cap",), message))
        if errors:
            raise_errors(errors)
        return self

    def _credits_something(self) -> bool:
        return self.credits is not None or any(row.credit for row in self.outage_limits)

    def _part_errors(self) -> list[InitErrorDetails]:
        """An availability part needs its three keys; its other keys mean nothing
        without them; and a contract with no part at all promises nothing."""
        missing = [key for key in AVAILABILITY_PART if getattr(self, key) is None]
        if len(missing) < len(AVAILABILITY_PART):
            return [error_at((key,), _MISSING, _example(key)) for key in missing]
        stray = [key for key in AVAILABILITY_KEYS if key in self.model_fields_set]
        if stray:
            return [error_at((key,), f"only used in an {_PART_WORDS}") for key in stray]
        if self.renewal is None and self.support is None:
            parts = f"an {_PART_WORDS}, a support part (support) or a renewal part (renewal)"
            return [error_at((), f"needs {parts}")]
        return []

    @property
    def has_availability(self) -> bool:
        """Whether the contract measures availability (service, period and target)."""
        return self.service is not None

    @property
    def service_targets(self) -> tuple[str, ...]:
        """The targets whose timelines the contract's figures read (none without an
        availability part)."""
        return () if self.service is None else self.service.targets

    def terms(self) -> ContractTerms:
        """The availability part as the core computes with it; ``PartMissingError``
        for a contract without one."""
        if self.service is None or self.period is None or self.target is None:
            raise PartMissingError(self.name, _PART_WORDS)
        return ContractTerms(
            name=self.name,
            targets=self.service.targets,
            zone=self.timezone,
            period=self.period,
            target_percent=Fraction(self.target),
            rule=self.service.rule,
            reference=self.reference.calendar(),
            recurring_maintenance=tuple(window.window() for window in self.maintenance.windows),
            maintenance=self.maintenance.policy(),
            formula=self.exclusions_count_as,
            unknown_as=self.unknown_time,
            min_coverage_percent=Fraction(self.min_coverage),
            credits=None if self.credits is None else self.credits.table(),
            claims_required=self.claims_required,
            claim_window=self.claim_window,
            credit_cap=None if self.credit_cap is None else Fraction(self.credit_cap),
            outage_limits=tuple(row.limit() for row in self.outage_limits),
            fee=None if self.fee is None else self.fee.terms(),
            clauses=tuple(self.clauses.items()),
            monitoring_since=self._since_instant(),
        )

    def _since_instant(self) -> int | None:
        since = self.monitoring_since
        if since is None:
            return None
        if since.tzinfo is None:
            since = since.replace(tzinfo=self.timezone)
        return int(since.timestamp())

    def renewal_terms(self) -> RenewalTerms:
        """The renewal part as the core computes with it; ``PartMissingError`` without one."""
        if self.renewal is None:
            raise PartMissingError(self.name, "renewal part (renewal)")
        return self.renewal.terms()


def _example(key: str) -> str | None:
    examples = Contract.model_fields[key].examples
    return str(examples[0]) if examples else None


def clause_names() -> tuple[str, ...]:
    """The keys ``clauses:`` accepts: the contract's own keys, plus ``exclusions`` for
    the grounds an operator may exclude time on (force majeure, customer...)."""
    own = [
        key
        for key in Contract.model_fields
        if key not in ("name", "description", "clauses", "report")
    ]
    return (*own, "exclusions")
