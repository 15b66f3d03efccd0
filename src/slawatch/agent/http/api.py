"""The agent's HTTP API under ``/api/v1``: contracts, status, reports, operator records,
renewals, support requests (a helpdesk's webhook posts ticket events) and support reports.

Routes are those of ``openapi.json`` (routing.py reads them), parameters and
bodies the models of inputs.py; each operation's handler here is listed by its
``operationId``. Reports,
records and their checks go through ``slawatch.app.records`` (renewals through
``slawatch.app.renewals``), the very code the ``slawatch`` commands run, so the API
and the CLI cannot disagree.

Reads are open to whoever reaches the listen address. Writes need
``Authorization: Bearer TOKEN`` with a token read from an environment variable
that ``agent.api_tokens`` names; the token's name is the actor in the audit log.
With no token set, writes are refused (403), reads still work.

Every refusal is a JSON ``{"error", "field"}`` with a 4xx status. A database that
cannot be used is a 503; anything else is a bug: logged with its traceback,
answered 500 without one.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from slawatch.agent.http import views
from slawatch.agent.http.routing import SPEC, ApiError, Call, Routes, decode, document
from slawatch.app import records, renewals, support, tickets
from slawatch.app.context import Context
from slawatch.app.evaluate import Probing, gather
from slawatch.app.records import FieldError, NothingToClaim, key
from slawatch.app.reports import style as report_style
from slawatch.app.support import NoSupportPart
from slawatch.config import Config
from slawatch.config.contracts import Contract
from slawatch.config.errors import UnknownNameError
from slawatch.reports.document import Report
from slawatch.reports.formats import MEDIA_TYPES, MissingExtra, render
from slawatch.reports.locale import Style
from slawatch.sla.assess import assess
from slawatch.sla.contract import ContractTerms
from slawatch.sla.locations import state_now
from slawatch.sla.periods import period_containing
from slawatch.store.operator_records import (
    CLAIM,
    EXCLUSION,
    MAINTENANCE,
    Entity,
    MaintenanceRecord,
)
from slawatch.store.store import NotFound, Store, StoreError

log = logging.getLogger(__name__)

PREFIX = "/api/"
MAX_BODY = 64 * 1024  # bytes; a record's body is a few hundred
_INLINE = frozenset({"json", "html"})  # report formats a browser shows rather than saves
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="slawatch"'}


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Request:
    """What a handler reads: the checked call, the config and the clock of this request."""

    call: Call
    config: Config
    now: int  # UTC seconds
    actor: str  # the token's name for writes, "" for reads

    def param(self, name: str) -> Any:
        """A path or query parameter; the document's default, or None, when not given."""
        return self.call.params.get(name)

    @property
    def contract(self) -> str:
        name: str = self.call.params["contract"]
        return name

    def terms(self) -> ContractTerms:
        """The path's contract; ``UnknownNameError`` (404) when the config has none."""
        return self.config.contract(self.contract).terms()


def json_response(status: int, data: object, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n"
    return Response(status, body, "application/json", headers or {})


def error_response(
    status: int, message: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    return json_response(status, {"error": message, "field": field}, headers)


class Api:
    """Answers requests under ``/api/``; safe to call from several threads at once."""

    def __init__(
        self,
        config: Callable[[], Config],
        store: Store,
        clock: Callable[[], float],
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        """``config`` gives the config in force (a reload may swap it); ``clock`` is "now"."""
        self._config = config
        self._store = store
        self._clock = clock
        self._environ = environ
        self._routes = Routes(document())
        self._render_lock = threading.Lock()  # matplotlib, behind PDF and HTML, is not thread-safe
        self._handlers: dict[str, Callable[[Request], Response]] = {
            "getOpenApi": self._openapi,
            "listContracts": self._contracts,
            "getContract": self._contract,
            "getStatus": self._status,
            "getContractStatus": self._contract_status,
            "getReport": self._report,
            "listMaintenance": self._list_maintenance,
            "addMaintenance": self._add_maintenance,
            "cancelMaintenance": self._cancel_maintenance,
            "listExclusions": self._list_exclusions,
            "addExclusion": self._add_exclusion,
            "revokeExclusion": self._revoke_exclusion,
            "listClaims": self._list_claims,
            "addClaim": self._add_claim,
            "listAudit": self._audit,
            "listRenewals": self._renewals,
            "getRenewal": self._renewal,
            "addRenewal": self._add_renewal,
            "getSupportReport": self._support_report,
            "getTicket": self._ticket,
            "addTicketEvent": self._add_ticket_event,
        }
        documented = {operation.id for operation in self._routes.operations}
        if documented != set(self._handlers):
            raise RuntimeError(
                f"openapi.json and the API differ: {documented ^ set(self._handlers)}"
            )

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response:
        """The answer to ``method target`` (path and query) with ``headers`` (names in
        lower case) and ``body``."""
        try:
            return self._dispatch(method, target, headers, body)
        except ApiError as exc:
            return _refused(exc)
        except (UnknownNameError, FieldError, NothingToClaim) as exc:
            return _refused(_api_error(exc))
        except MissingExtra as exc:  # an image without the reports extra: not the caller's fault
            return error_response(501, str(exc), "format")
        except StoreError as exc:
            log.warning("api: store unavailable: %s", exc)
            return error_response(503, f"the database cannot be used: {exc}")
        except Exception:
            log.exception("api: %s %s failed", method, target)
            return error_response(500, "internal error; the agent's log has the details")

    def _dispatch(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        path, _, query = target.partition("?")
        if method == "OPTIONS":
            return self._options(path)
        operation, raw_path = self._routes.match(method, path)
        config = self._config()
        actor = self._actor(config, headers) if operation.secured else ""
        parsed = _json_body(headers, body) if operation.body is not None else None
        call = self._routes.check(operation, raw_path, _query(query), parsed)
        request = Request(call, config, int(self._clock()), actor)
        return self._handlers[operation.id](request)

    def _options(self, path: str) -> Response:
        allowed = self._routes.allowed(path)
        if not allowed:
            raise ApiError(404, f"no such path: {path}")
        return Response(204, b"", "application/json", {"Allow": f"{allowed}, OPTIONS"})

    def _actor(self, config: Config, headers: Mapping[str, str]) -> str:
        """The name of the token the request carries; 403 when none is configured,
        401 when the request has none of them. Every token is compared, in constant
        time, so the answer's timing tells nothing about which one was close."""
        tokens = [
            (name, self._environ.get(variable, ""))
            for name, variable in config.agent.api_tokens.items()
        ]
        tokens = [(name, token) for name, token in tokens if token]
        if not tokens:
            variables = ", ".join(config.agent.api_tokens.values()) or "none in agent.api_tokens"
            raise ApiError(403, f"writes are disabled: no API token is set ({variables})")
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ApiError(
                401, "writes need the header Authorization: Bearer TOKEN", None, _CHALLENGE
            )
        offered = given.strip().encode("utf-8")
        matches = [name for name, token in tokens if hmac.compare_digest(token.encode(), offered)]
        if not matches:
            raise ApiError(
                401, "the bearer token is not one of the agent's API tokens", None, _CHALLENGE
            )
        return matches[0]

    # -- reads -------------------------------------------------------------------------------

    def _openapi(self, request: Request) -> Response:
        return Response(200, _spec_bytes(), "application/json")

    def _contracts(self, request: Request) -> Response:
        briefs = [views.contract_brief(model) for model in request.config.availability_contracts()]
        return json_response(200, {"contracts": briefs})

    def _contract(self, request: Request) -> Response:
        return json_response(200, views.contract_terms(request.config.contract(request.contract)))

    def _status(self, request: Request) -> Response:
        config = request.config
        return json_response(
            200,
            {
                "as_of": views.iso(request.now),
                "contracts": self._statuses(request, config.availability_contracts()),
                "targets": self._states(config, [t.name for t in config.targets], request.now),
            },
        )

    def _contract_status(self, request: Request) -> Response:
        model = request.config.contract(request.contract)
        return json_response(200, self._statuses(request, [model])[0])

    def _statuses(self, request: Request, models: Sequence[Contract]) -> list[Any]:
        """Each contract's current period up to now, gathered for all of them at once."""
        now = request.now
        items = [
            (terms, period_containing(now, terms.period, terms.zone))
            for terms in (m.terms() for m in models)
        ]
        only = models[0].name if len(models) == 1 else None
        windows = self._store.list_maintenance(only)
        exclusions = self._store.list_exclusions(only)
        gathered = gather(self._store, items, Probing.of(request.config), now)
        return [
            views.contract_status(
                Report(case.terms, assess(case), model.description),
                [w for w in windows if w.contract == model.name],
                [x for x in exclusions if x.contract == model.name],
                self._states(request.config, case.terms.targets, now),
            )
            for model, case in zip(models, gathered, strict=True)
        ]

    def _context(self, request: Request) -> Context:
        """What a use case runs against for this request: fields spelt as JSON keys."""
        return Context(request.config, self._store, now=request.now, spell=key)

    def _states(self, config: Config, targets: Sequence[str], now: int) -> list[Any]:
        """Each target's state now, its locations combined by its rule."""
        flips = self._store.flips(targets, now, now + 1)
        return [
            views.target_state(
                name, *state_now(flips[name], config.target(name).location_rule(), now)
            )
            for name in targets
        ]

    def _report(self, request: Request) -> Response:
        period = request.call.params["period"]
        name = f"{request.contract}-{period}"
        return self._built(request, records.contract_report, "sla", name)

    def _support_report(self, request: Request) -> Response:
        period = request.call.params["period"]
        name = f"{request.contract}-support-{period.replace(':', '-')}"
        return self._built(request, support.support_report, "support", name)

    def _built(
        self, request: Request, build: Callable[..., Mapping[str, Any]], kind: str, name: str
    ) -> Response:
        """A report of ``kind`` built for the request's contract and period, rendered."""
        report = build(
            self._context(request),
            request.contract,
            request.call.params["period"],
            as_of=request.param("as_of"),
        )
        chosen = report_style(request.config, request.contract)  # the CLI's defaults
        return self._rendered(request.param("format"), report, kind, name, chosen)

    def _rendered(
        self, fmt: str, report: Mapping[str, Any], kind: str, name: str, style: Style
    ) -> Response:
        """A report in ``fmt``, shown inline or saved as ``name``.``fmt``."""
        with self._render_lock:
            content = render(fmt, report, kind, style)
        body = content.encode("utf-8") if isinstance(content, str) else content
        disposition = "inline" if fmt in _INLINE else "attachment"
        headers = {"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'}
        return Response(200, body, MEDIA_TYPES[fmt], headers)

    def _ticket(self, request: Request) -> Response:
        return json_response(200, self._ticket_view(request))

    def _ticket_view(self, request: Request) -> Any:
        """The path's ticket as known now; 404 when its contract has none."""
        reference = request.param("ticket")
        found = support.request_views(self._context(request), request.contract, ticket=reference)
        if not found:
            raise ApiError(404, f"{request.contract} has no ticket {reference!r}", "ticket")
        return views.ticket(found[0])

    def _list_maintenance(self, request: Request) -> Response:
        terms = request.terms()
        items = self._store.list_maintenance(request.contract, request.param("all"))
        return json_response(200, {"maintenance": [_view(i, terms) for i in items]})

    def _list_exclusions(self, request: Request) -> Response:
        terms = request.terms()
        items = self._store.list_exclusions(request.contract, request.param("all"))
        return json_response(200, {"exclusions": [_view(i, terms) for i in items]})

    def _list_claims(self, request: Request) -> Response:
        terms = request.terms()
        items = self._store.list_claims(request.contract)
        return json_response(200, {"claims": [_view(i, terms) for i in items]})

    def _audit(self, request: Request) -> Response:
        entries = self._store.audit_log(request.param("contract"))
        return json_response(200, {"audit": [views.audit(e) for e in entries]})

    def _renewals(self, request: Request) -> Response:
        items = renewals.status(self._context(request), None, request.param("on"))
        return json_response(200, {"renewals": items})

    def _renewal(self, request: Request) -> Response:
        [item] = renewals.status(self._context(request), request.contract, request.param("on"))
        return json_response(200, item)

    # -- writes: the body's keys are the use cases' own parameters -------------------------

    def _add_renewal(self, request: Request) -> Response:
        body = request.call.body
        made = renewals.record(
            request.config,
            self._store,
            request.contract,
            body["on"],
            body["years"],
            request.actor,
            key,
        )
        _log_write(request, "renewal.add", made.id)
        return json_response(201, renewals.renewal_json(made))

    def _add_maintenance(self, request: Request) -> Response:
        added = records.add_maintenance(
            self._context(request), request.contract, **_signed(request)
        )
        return self._added(request, MAINTENANCE, added.id)

    def _add_exclusion(self, request: Request) -> Response:
        new_id = records.add_exclusion(self._context(request), request.contract, **_signed(request))
        return self._added(request, EXCLUSION, new_id)

    def _add_claim(self, request: Request) -> Response:
        new_id = records.add_claim(self._context(request), request.contract, **_signed(request))
        return self._added(request, CLAIM, new_id)

    def _add_ticket_event(self, request: Request) -> Response:
        """A helpdesk's event: 201 when added, 200 when it was already stored."""
        support.support_terms(request.config, request.contract, key)  # 404 without one
        reference = request.param("ticket")
        result = tickets.add_ticket_event(
            self._context(request), request.contract, reference, **_signed(request)
        )
        added = result.added > 0
        log.info(
            "api write: action=ticket.event contract=%s ticket=%s added=%s actor=%s",
            request.contract,
            reference,
            added,
            request.actor,
        )
        return json_response(
            201 if added else 200, {"added": added, "ticket": self._ticket_view(request)}
        )

    def _cancel_maintenance(self, request: Request) -> Response:
        return self._retired(request, MAINTENANCE, self._store.cancel_maintenance)

    def _revoke_exclusion(self, request: Request) -> Response:
        return self._retired(request, EXCLUSION, self._store.revoke_exclusion)

    def _records(self, request: Request, entity: Entity) -> list[Any]:
        """Every record of ``entity`` of the path's contract, retired ones too."""
        listings: dict[str, Callable[[], list[Any]]] = {
            MAINTENANCE.name: lambda: self._store.list_maintenance(request.contract, True),
            EXCLUSION.name: lambda: self._store.list_exclusions(request.contract, True),
            CLAIM.name: lambda: self._store.list_claims(request.contract),
        }
        return listings[entity.name]()

    def _added(self, request: Request, entity: Entity, new_id: int) -> Response:
        item = _by_id(self._records(request, entity), new_id)
        return _written(request, f"{entity.name}.add", item, 201)

    def _retired(
        self, request: Request, entity: Entity, retire: Callable[[int, str], Any]
    ) -> Response:
        """Cancel or revoke the path's record: 404 unless the path's contract has it,
        409 when it was already retired (even by another writer a moment ago)."""
        record_id = request.param("id")
        found = _by_id(self._records(request, entity), record_id)
        if found is None:
            raise ApiError(404, f"{request.contract} has no {entity.name} #{record_id}", "id")
        if getattr(found, f"{entity.done}_at") is not None:
            by = getattr(found, f"{entity.done}_by")
            raise ApiError(
                409, f"{entity.name} #{record_id} was already {entity.done} by {by}", "id"
            )
        try:
            item = retire(record_id, request.actor)
        except NotFound as exc:
            raise ApiError(409, str(exc), "id") from None
        return _written(request, f"{entity.name}.{entity.verb}", item, 200)


def _signed(request: Request) -> dict[str, Any]:
    """The body's keys and the actor: what every action takes beside its context."""
    return {**request.call.body, "actor": request.actor}


def _written(request: Request, action: str, item: Any, status: int) -> Response:
    _log_write(request, action, item.id)
    return json_response(status, _view(item, request.terms()))


def _log_write(request: Request, action: str, item_id: int) -> None:
    log.info(
        "api write: action=%s contract=%s id=%d actor=%s",
        action,
        request.contract,
        item_id,
        request.actor,
    )


def _view(item: Any, terms: ContractTerms) -> Any:
    """A record as the API shows it; maintenance windows say whether they qualify."""
    if isinstance(item, MaintenanceRecord):
        return views.maintenance(item, terms)
    return views.record(item, terms.zone)


def _by_id(items: Sequence[Any], record_id: int) -> Any:
    """The record with ``record_id`` among ``items``, or None."""
    return next((r for r in items if r.id == record_id), None)


def _refused(exc: ApiError) -> Response:
    return error_response(exc.status, str(exc), exc.field, exc.headers)


def _api_error(exc: UnknownNameError | FieldError | NothingToClaim) -> ApiError:
    """What the API answers to the errors the config and the use cases raise."""
    if isinstance(exc, UnknownNameError):
        return ApiError(404, str(exc), exc.kind)
    if isinstance(exc, NoSupportPart):
        return ApiError(404, str(exc), exc.field)
    if isinstance(exc, NothingToClaim | tickets.EventRefused):
        return ApiError(422, str(exc), exc.field)
    if isinstance(exc, tickets.EventConflict):
        return ApiError(409, str(exc), exc.field)
    return ApiError(400, str(exc), exc.field)


def _json_body(headers: Mapping[str, str], body: bytes) -> Any:
    """The body parsed as JSON; 415 unless it says it is JSON, 400 unless it is."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, f"the body must be application/json (got {media_type or 'none'})")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "the body is not valid JSON (UTF-8)") from None


def _query(text: str) -> dict[str, list[str]]:
    """``a=1&b=2`` as lists of values per name. ``+`` stays ``+`` (it is not a form):
    ``as_of=2026-10-01T00:00+02:00`` means what it says."""
    found: dict[str, list[str]] = {}
    for part in filter(None, text.split("&")):
        name, _, value = part.partition("=")
        found.setdefault(decode(name, "query"), []).append(decode(value, decode(name, "query")))
    return found


@cache
def _spec_bytes() -> bytes:
    return SPEC.read_bytes()
