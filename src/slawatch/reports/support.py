"""The support report (SPEC sections 6 and 7): every request opened in the period with
each target's clock, and each objective's share against its threshold.

The JSON dict below is what every format is rendered from. It shows the
arithmetic, not only the outcome: where the clock started (the next opening when
a request came in outside support hours), the allowance in seconds of the
target's clock, the paused time that moved the deadline, the business seconds
counted on each business day up to the deadline (they add up to the allowance),
the stop event and the business seconds to it. Shares are exact fractions in
the core, written truncated to 6 decimals beside the exact fraction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slawatch.reports.document import CsvSheet, exact, percent
from slawatch.reports.locale import Style
from slawatch.reports.view import INTERNAL, Row, Section, show
from slawatch.sla.support import AllowanceKind, SupportTarget, SupportTerms
from slawatch.sla.support_assess import (
    Assessed,
    Clocked,
    ObjectiveResult,
    Outcome,
    RequestResult,
    SupportAssessment,
    Written,
    business_days,
)

Data = Mapping[str, Any]
REQUEST_COLUMNS = (
    ("ticket", "Ticket"),
    ("priority", "Priority"),
    ("opened", "Opened"),
    ("target", "Target"),
    ("deadline", "Deadline"),
    ("stopped_at", "Stopped at"),
    ("outcome", "Outcome"),
    ("business_seconds", "Business time to stop (s)"),
    ("arithmetic", "How the deadline was computed"),
)
OBJECTIVE_COLUMNS = (
    ("name", "Objective"),
    ("target", "Target"),
    ("period", "Assessed per"),
    ("met_count", "Met"),
    ("breached_count", "Breached"),
    ("pending_count", "Pending"),
    ("share_percent", "Share (%)"),
    ("share_exact", "Share, exact (%)"),
    ("threshold_percent", "Threshold (%)"),
    ("met", "Objective met"),
    ("binding", "Period is the objective's own"),
)


@dataclass(frozen=True, slots=True)
class SupportReport:
    contract: str
    description: str
    terms: SupportTerms
    assessment: SupportAssessment


def to_dict(report: SupportReport) -> dict[str, Any]:
    """The support report's JSON (SPEC section 7 names its fields); its ``requests``
    is a ``Requests`` sequence, which makes each request's dict when read."""
    terms, a = report.terms, report.assessment
    iso = Iso(terms)
    return {
        "contract": report.contract,
        "description": report.description,
        "period": {
            "label": a.period.label,
            "kind": str(a.period.kind),
            "start": iso(a.period.start),
            "end": iso(a.period.end),
            "time_zone": terms.zone.key,
        },
        "as_of": iso(a.as_of),
        "complete": a.as_of >= a.period.end,
        "support": terms_dict(terms),
        "requests": Requests(a.requests, terms),
        "objectives": [_objective(o) for o in a.objectives],
        "clauses": dict(terms.clauses),
    }


class Iso(dict[int | None, str | None]):
    """Instants as ISO 8601 in the contract's zone (``None`` stays ``None``); each
    written once (a clock often starts when its request was opened). A dict that
    fills itself: a yearly report asks 1,000,000 times, mostly for instants it has.
    ``quoted``: as JSON values (``"2026-10-02T16:50:00+02:00"``, ``None`` is ``null``)."""

    def __init__(self, terms: SupportTerms, quoted: bool = False) -> None:
        self._none = "null" if quoted else None
        super().__init__({None: self._none})
        self._zone = terms.zone
        self._quote = '"' if quoted else ""
        self._hours: dict[int, tuple[str, str] | None] = {}  # UTC hour -> text around

    def __missing__(self, instant: int | None) -> str:
        assert instant is not None  # None is always there
        hour, second = divmod(instant, 3600)
        known = self._hours.get(hour, _UNKNOWN)
        if known is _UNKNOWN:  # a new hour: time to see whether to forget
            if len(self) > 4096:  # the instants of the last requests are enough
                self.clear()
                self[None] = self._none
            known = self._hours[hour] = self._hour(hour * 3600)
        if known is None:
            text = datetime.fromtimestamp(instant, self._zone).isoformat()
            text = f"{self._quote}{text}{self._quote}"
        else:
            text = f"{known[0]}{_MMSS[second]}{known[1]}"
        self[instant] = text
        return text  # ISO 8601: nothing to escape in JSON

    def _hour(self, start: int) -> tuple[str, str] | None:
        """What comes before the minutes (``"2026-10-02T16:``) and after the seconds
        (``+02:00"``) through the UTC hour from ``start``: a yearly report formats
        300,000 instants, and ``fromtimestamp`` then ``isoformat`` took most of it.
        ``None`` (format each instant) if the offset changes within the hour or is not
        whole hours (the minutes would not be the UTC ones)."""
        first = datetime.fromtimestamp(start, self._zone)
        offset = first.utcoffset()
        if offset != datetime.fromtimestamp(start + 3599, self._zone).utcoffset():
            return None
        if offset is None or offset.total_seconds() % 3600:
            return None
        text = first.isoformat()  # 2026-10-02T16:00:00+02:00
        return f"{self._quote}{text[:14]}", f"{text[19:]}{self._quote}"

    __call__ = dict.__getitem__


_UNKNOWN = ("", "")  # an hour not looked up yet
_MMSS = [f"{m:02}:{s:02}" for m in range(60) for s in range(60)]


class Requests(Sequence[dict[str, Any]]):
    """The report's ``requests``: each item's dict is made when asked for, and the
    JSON format writes the text of all without making any (a yearly report has
    100,000 requests: their dicts took as long as the assessment). A request read as
    ``Written`` is its text: its dict is that text read back."""

    def __init__(self, results: Sequence[Assessed], terms: SupportTerms) -> None:
        self._results = results
        self._terms = terms

    def __len__(self) -> int:
        return len(self._results)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _request_dict(self._results[index], self._terms, Iso(self._terms))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        iso = Iso(self._terms)
        return (_request_dict(r, self._terms, iso) for r in self._results)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable-like: compared by content

    def json_lines(self) -> Iterator[str]:
        """Each request as ``_ONE_LINE.encode(request_dict(...))`` writes it, byte for
        byte: its stored text, else written from its clocks."""
        text = RequestText(self._terms)
        return (
            (result.json or text(result)) if isinstance(result, RequestResult) else result.json
            for result in self._results
        )


def _request_dict(result: Assessed, terms: SupportTerms, iso: Iso) -> dict[str, Any]:
    """``request_dict``, or a stored text read back (the same dict: it was written from it)."""
    if isinstance(result, Written):
        return json.loads(result.json)  # type: ignore[no-any-return]  # a request's object
    return request_dict(result, terms, iso)


class RequestText:
    """A request as ``Requests.json_lines`` writes it: what its stored clocks keep
    (``RequestResult.json``), so that a report joins the texts instead of writing them."""

    def __init__(self, terms: SupportTerms) -> None:
        self._iso, self._names, self._spread = Iso(terms, quoted=True), _Names(), _Spread(terms)

    def __call__(self, result: RequestResult) -> str:
        request, iso, names = result.request, self._iso, self._names
        targets = ", ".join([self._clock(c) for c in result.targets])
        return (
            f'{{"ticket": {_string(request.ticket)}, "priority": {names[request.priority]}, '
            f'"opened": {iso[request.events[0].at]}, "targets": [{targets}]}}'
        )

    def _clock(self, c: Clocked) -> str:
        iso, names = self._iso, self._names
        spent = "null" if c.business_seconds is None else c.business_seconds
        return (
            f'{{"name": {names[c.target.name]}, "started": {iso[c.started]}, '
            f'"clock_start": {iso[c.clock_start]}, '
            f'"allowance_seconds": {c.allowance_seconds}, '
            f'"paused_seconds": {c.paused_seconds}, "business_days": [{self._spread(c)}], '
            f'"deadline": {iso[c.deadline]}, "stopped_at": {iso[c.stopped_at]}, '
            f'"outcome": {_OUTCOMES[c.outcome]}, "business_seconds": {spent}}}'
        )


_OUTCOMES = {outcome: f'"{outcome.value}"' for outcome in Outcome}


class _Spread:
    """A clock's ``business_days`` items as JSON text: from the stored line when the
    clock was read from the store (two replacements), else from the calendar."""

    def __init__(self, terms: SupportTerms) -> None:
        self._by_day = terms.clock.by_business_day
        self._days = _Days()

    def __call__(self, c: Clocked) -> str:
        if c.days is not None:  # "2026-10-02=600;2026-10-05=23400"
            if not c.days:
                return ""
            items = c.days.replace("=", '", "seconds": ').replace(";", '}, {"date": "')
            return f'{{"date": "{items}}}'
        if c.target.allowance.kind is AllowanceKind.WALL_CLOCK:
            return ""
        end = c.deadline if c.deadline is not None else c.clock_start
        days = self._days
        return ", ".join(
            f'{{"date": {days[d]}, "seconds": {n}}}'
            for d, n in self._by_day(c.clock_start, end, c.pauses)
        )


class _Names(dict[str, str]):
    """Strings as JSON writes them, each encoded once (target names, priorities)."""

    def __missing__(self, text: str) -> str:
        encoded = self[text] = _string(text)
        return encoded


class _Days(dict[date, str]):
    """Business days as quoted JSON dates, each written once."""

    def __missing__(self, day: date) -> str:
        text = self[day] = f'"{day.isoformat()}"'
        return text


def terms_dict(terms: SupportTerms) -> dict[str, Any]:
    """The support terms as the report's ``support`` object says them (the API's
    ``GET /contracts/NAME`` shows the same, with the objectives)."""
    holidays = terms.calendar.holidays
    return {
        "start_date": terms.start_date.isoformat(),
        "time_zone": terms.zone.key,
        "calendar": [w.text() for w in terms.calendar.windows],
        "holidays": None if holidays is None else holidays.country,
        "priorities": list(terms.priorities),
        "targets": [target_terms(t, terms) for t in terms.targets],
    }


def target_terms(target: SupportTarget, terms: SupportTerms) -> dict[str, Any]:
    """A target as the report's ``support.targets`` items say it."""
    return {
        "name": target.name,
        "start": str(target.start),
        "stop": str(target.stop),
        "priorities": [p for p in terms.priorities if p in target.priorities],
        "allowance": target.allowance.describe(),
        "allowance_kind": str(target.allowance.kind),
        "allowance_amount": target.allowance.amount,
    }


def request_dict(
    result: RequestResult, terms: SupportTerms, iso: Iso | None = None
) -> dict[str, Any]:
    """A request and its targets' clocks, as the report's ``requests`` items."""
    iso = iso or Iso(terms)
    request = result.request
    return {
        "ticket": request.ticket,
        "priority": request.priority,
        "opened": iso(request.opened),
        "targets": [_clocked(c, terms, iso) for c in result.targets],
    }


def _clocked(clocked: Clocked, terms: SupportTerms, iso: Iso) -> dict[str, Any]:
    """A target's clock, with what it takes to redo the deadline."""
    days = business_days(terms, clocked)
    return {  # the target's own terms are in support.targets, by name
        "name": clocked.target.name,
        "started": iso(clocked.started),
        "clock_start": iso(clocked.clock_start),
        "allowance_seconds": clocked.allowance_seconds,
        "paused_seconds": clocked.paused_seconds,
        "business_days": [{"date": d.isoformat(), "seconds": s} for d, s in days],
        "deadline": iso(clocked.deadline),
        "stopped_at": iso(clocked.stopped_at),
        "outcome": str(clocked.outcome),
        "business_seconds": clocked.business_seconds,
    }


def _objective(result: ObjectiveResult) -> dict[str, Any]:
    share = result.share
    return {
        "name": result.objective.name,
        "target": result.objective.target,
        "period": str(result.objective.period.kind),
        "met_count": result.met_count,
        "breached_count": result.breached_count,
        "pending_count": result.pending_count,
        "share_percent": None if share is None else percent(share),
        "share_exact": None if share is None else exact(share),
        "threshold_percent": percent(result.objective.threshold_percent),
        "met": result.met,
        "binding": result.binding,
    }


# -- what every format shows -------------------------------------------------------------


def title(data: Data, style: Style = INTERNAL) -> str:
    return style.lang("Support report: {contract}, {period}").format(
        contract=data["contract"], period=data["period"]["label"]
    )


def good(data: Data) -> bool:
    """No objective missed (the verdict's colour)."""
    return all(o["met"] is not False for o in data["objectives"])


def headline(data: Data, style: Style = INTERNAL) -> list[str]:
    """The verdict: each objective's share in one sentence, then the requests."""
    lines = [_objective_line(o, style) for o in data["objectives"]]
    outcomes = [t["outcome"] for r in data["requests"] for t in r["targets"]]
    counts = {o: outcomes.count(o) for o in ("met", "breached", "pending")}
    lines.append(
        style.lang(
            "{requests} requests opened in the period; their targets: "
            "{met} met, {breached} breached, {pending} pending."
        ).format(requests=len(data["requests"]), **counts)
    )
    return lines


def _objective_line(o: Data, style: Style) -> str:
    _ = style.lang
    decided = o["met_count"] + o["breached_count"]
    if o["share_percent"] is None:
        text = _("{name}: not assessed, no request decided yet ({pending} pending).")
        return text.format(name=o["name"], pending=o["pending_count"])
    own = (
        ""
        if o["binding"]
        else _(" (the objective is assessed per {period})").format(
            period=show("period", o["period"], style)
        )
    )
    return _(
        "{name}: {met} of {decided} decided requests met {target} = {share} "
        "against a threshold of {threshold}: {verdict}{own}."
    ).format(
        name=o["name"],
        met=o["met_count"],
        decided=decided,
        target=o["target"],
        share=_percent(o["share_percent"], style),
        threshold=_percent(o["threshold_percent"], style),
        verdict=_("met" if o["met"] else "not met"),
        own=own,
    )


def _percent(value: float, style: Style) -> str:
    return f"{value} %" if style.internal else style.lang.percent(value)


def sections(data: Data, style: Style = INTERNAL) -> list[Section]:
    """The summary: the period, then the support terms each with its clause."""
    _ = style.lang
    clauses: Mapping[str, str] = data["clauses"]
    period, support = data["period"], data["support"]
    return [
        Section(
            _("Contract and period"),
            (
                Row("contract", _("Contract"), data["contract"], ""),
                Row("description", _("Description"), data["description"], ""),
                Row("period.label", _("Period"), period["label"], ""),
                Row("period.start", _("Period start"), period["start"], ""),
                Row("period.end", _("Period end (exclusive)"), period["end"], ""),
                Row("period.time_zone", _("Time zone"), period["time_zone"], ""),
                Row("as_of", _("Assessed up to"), data["as_of"], ""),
                Row("complete", _("Period complete"), data["complete"], ""),
            ),
        ),
        Section(
            _("Support terms"),
            (
                Row("support.start_date", _("Support start date"), support["start_date"], ""),
                Row(
                    "support.calendar",
                    _("Support hours"),
                    _hours(support, style),
                    clauses.get("calendar", ""),
                ),
                Row("support.priorities", _("Priorities"), ", ".join(support["priorities"]), ""),
                *(
                    Row(
                        f"support.targets.{t['name']}",
                        _("Target {name}").format(name=t["name"]),
                        _rule(t, style),
                        clauses.get(t["name"], ""),
                    )
                    for t in support["targets"]
                ),
                *(
                    Row(
                        f"objectives.{o['name']}",
                        _("Objective {name}").format(name=o["name"]),
                        _goal(o, style),
                        clauses.get(o["name"], ""),
                    )
                    for o in data["objectives"]
                ),
            ),
        ),
    ]


def _hours(support: Data, style: Style) -> str:
    """The support hours: the config's windows in the internal view, in words in the
    customer's."""
    if style.internal:
        windows = ", ".join(support["calendar"])
    else:
        separator = style.lang("; ")  # French sets a space before the semicolon
        windows = separator.join(style.lang.window(window) for window in support["calendar"])
    holidays = support["holidays"]
    text = f"{windows} ({support['time_zone']})"
    if holidays:
        text += style.lang(", minus {country} holidays").format(country=holidays)
    return text


def _rule(target: Data, style: Style) -> str:
    return style.lang("{start} -> {stop} within {allowance} (priorities {priorities})").format(
        start=show("start", target["start"], style),
        stop=show("start", target["stop"], style),
        allowance=_allowance(target, style),
        priorities=", ".join(target["priorities"]),
    )


def _goal(objective: Data, style: Style) -> str:
    return style.lang("at least {threshold} of requests meet {target}, per {period}").format(
        threshold=_percent(objective["threshold_percent"], style),
        target=objective["target"],
        period=show("period", objective["period"], style),
    )


def request_rows(data: Data, style: Style = INTERNAL) -> list[dict[str, Any]]:
    """One row per request and target, with the arithmetic written out."""
    terms = {t["name"]: t for t in data["support"]["targets"]}
    return [
        {
            "ticket": request["ticket"],
            "priority": request["priority"],
            "opened": request["opened"],
            "target": target["name"],
            "deadline": target["deadline"],
            "stopped_at": target["stopped_at"],
            "outcome": target["outcome"],
            "business_seconds": target["business_seconds"],
            "arithmetic": arithmetic(terms[target["name"]], target, style),
        }
        for request in data["requests"]
        for target in request["targets"]
    ]


def arithmetic(terms: Data, target: Data, style: Style = INTERNAL) -> str:
    """How a target's deadline follows from its clock's start and its allowance
    (``terms``: the target as ``support.targets`` says it), and the stop."""
    _, lang = style.lang, style.lang
    start = target["clock_start"]
    parts = [_("clock from {start}").format(start=_when(start, style))]
    if start != target["started"]:
        parts[0] += _(" (next opening after {started})").format(
            started=_when(target["started"], style)
        )
    days = " + ".join(
        f"{_day(d['date'], style)} {lang.duration(d['seconds'])}" for d in target["business_days"]
    )
    allowance = _allowance(terms, style)
    if terms["allowance_kind"] == AllowanceKind.BUSINESS_DAYS:
        allowance += _(" ({time} of business time)").format(
            time=lang.duration(target["allowance_seconds"])
        )
    parts.append(f"{allowance} = {days}" if days else allowance)
    if target["paused_seconds"]:
        parts.append(_("plus {time} paused").format(time=lang.duration(target["paused_seconds"])))
    parts.append(
        _("due {deadline}").format(deadline=_when(target["deadline"], style))
        if target["deadline"]
        else _("no deadline while paused")
    )
    if target["stopped_at"]:
        parts.append(
            _("{stop} {at} after {spent}").format(
                stop=show("start", terms["stop"], style),
                at=_when(target["stopped_at"], style),
                spent=lang.duration(target["business_seconds"]),
            )
        )
    return _("{steps}: {outcome}").format(
        steps=_("; ").join(parts), outcome=show("outcome", target["outcome"], style)
    )


def _allowance(terms: Data, style: Style) -> str:
    """A target's allowance as the contract words it (``8h of business time``), or
    in the customer's language from its kind and amount."""
    if style.internal:
        return str(terms["allowance"])
    amount, lang = terms["allowance_amount"], style.lang
    if terms["allowance_kind"] == AllowanceKind.BUSINESS_DAYS:
        text = "{n} business day" if amount == 1 else "{n} business days"
        return lang(text).format(n=amount)
    if terms["allowance_kind"] == AllowanceKind.BUSINESS_TIME:
        return lang("{time} of business time").format(time=lang.duration(amount))
    return lang("{time} of wall-clock time").format(time=lang.duration(amount))


def _when(text: str, style: Style) -> str:
    """``Fri 2026-10-02 16:50`` (seconds when there are some) from an ISO instant; the
    customer view writes it the language's way, with its weekday."""
    moment = datetime.fromisoformat(text)
    if not style.internal:
        return f"{style.lang.day(moment.date().isoformat(), weekday=True)} " + moment.strftime(
            "%H:%M" + (":%S" if moment.second else "")
        )
    return moment.strftime("%a %Y-%m-%d %H:%M" + (":%S" if moment.second else ""))


def _day(text: str, style: Style) -> str:
    if not style.internal:
        return style.lang.day(text, weekday=True)
    return date.fromisoformat(text).strftime("%a %Y-%m-%d")


# One encoder for every request: ``json.dumps`` with an option builds a new one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False)
_string = _ONE_LINE.encode  # a str alone: the C function that escapes it


def to_json(data: Data) -> str:
    """The JSON text: indented, but each request on one line of its own, so that a
    year of 100,000 requests is written by the C encoder and reads as one line a
    request (grep, diff)."""
    parts = ["{\n"]  # joined once: a year's requests make tens of megabytes
    for name, value in data.items():
        if len(parts) > 1:
            parts.append(",\n")
        parts.append(f"  {json.dumps(name)}: ")
        if name == "requests" and value:
            lines = (
                value.json_lines() if isinstance(value, Requests) else map(_ONE_LINE.encode, value)
            )
            parts += ("[\n    ", ",\n    ".join(lines), "\n  ]")
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False, default=list)
            parts.append(text.replace("\n", "\n  "))  # default: no request, an empty ``Requests``
    parts.append("\n}\n")
    return "".join(parts)


def to_csv(data: Data, style: Style = INTERNAL) -> str:
    """Summary rows ``field,value``, then the requests (one row per target), then the
    objectives, each after a blank line (``CsvSheet`` says what each view and dialect
    writes)."""
    sheet = CsvSheet(style)
    sheet.summary(sections(data, style))
    sheet.table(request_rows(data, style), REQUEST_COLUMNS)
    sheet.table(data["objectives"], OBJECTIVE_COLUMNS)
    return sheet.text()
