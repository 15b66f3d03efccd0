"""What each API operation takes, as pydantic models: its path and query parameters
(``PARAMS``) and its JSON body (``BODIES``), keyed by ``operationId``.

routing.py validates every request with these models, and a test checks that
``openapi.json`` describes exactly them (``request_schema``). An operation that
takes something new is one model here and one entry in ``openapi.json``.

Models are strict: a body's ``"42"`` is not the integer 42. Query values are text,
turned into the declared type by the router first (``true``/``false``, whole
numbers). Instants are text here: whether one is well formed, and in which zone
one without an offset is read, depends on the contract, so the handlers check them.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]

_TEXT = r"^[^\u0000]*$"  # any text but NUL, which no database column keeps
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INT32 = {"ge": -(2**31), "le": 2**31 - 1}


def _instant(description: str) -> Any:
    """An instant as the API accepts it: ISO 8601; without an offset, in the contract's
    time zone."""
    return Field(
        description=f"{description} ISO 8601; without an offset, in the contract's time zone.",
        examples=["2026-10-05T10:00:00+02:00", "2026-10-05T08:00:00Z", "2026-10-05T10:00:00"],
        json_schema_extra={"format": "date-time"},
    )


class Input(BaseModel):
    """Strict, closed: no key beyond the fields, no coercion between JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")


class Contract(Input):
    contract: str


class Record(Contract):
    id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class ReportParams(Contract):
    period: Annotated[str, Field(pattern=r"^[0-9]{4}(-[0-9]{2})?$")]
    format: Literal["json", "csv", "xlsx", "pdf", "html"] = "json"
    as_of: Annotated[str | None, _instant("Assess up to this instant (default: now).")] = None


class ListParams(Contract):
    all: bool = False


class AuditParams(Input):
    contract: str | None = None


class RenewalParams(Input):
    on: Annotated[str | None, Field(pattern=_DATE)] = None


class ContractRenewalParams(Contract, RenewalParams):
    pass


class MaintenanceInput(Input):
    start: Annotated[str, _instant("The window's start.")]
    end: Annotated[str, _instant("Must be after start.")]
    kind: Literal["planned", "emergency"]
    declared_at: Annotated[str | None, _instant("When the customer was told (default: now).")] = (
        None
    )
    note: Annotated[str, Field(pattern=_TEXT)] = ""


class ExclusionInput(Input):
    start: Annotated[str, _instant("The excluded time's start.")]
    end: Annotated[str, _instant("Must be after start.")]
    reason: Literal["force_majeure", "customer", "third_party", "other"]
    note: Annotated[
        str, Field(pattern=_TEXT, description="Why, for the customer and the audit log.")
    ]


class ClaimInput(Input):
    at: Annotated[str, _instant("An instant inside the outage.")]
    ticket: Annotated[str, Field(pattern=_TEXT, description="The customer's ticket reference.")]


class RenewalInput(Input):
    on: Annotated[
        str, Field(pattern=_DATE, description="The local date the renewal was made, `YYYY-MM-DD`.")
    ]
    years: Annotated[
        int,
        Field(
            **_INT32,
            description="Whole years from the original expiry; below 1 is refused (400).",
        ),
    ]


class SupportReportParams(Contract):
    period: Annotated[str, Field(pattern=r"^([0-9]{4}(-[0-9]{2})?|contract-year:[0-9]{4})$")]
    format: Literal["json", "csv", "xlsx", "pdf", "html"] = "json"
    as_of: Annotated[str | None, _instant("Assess as known at this instant (default: now).")] = None


# Python's whitespace (what ``str.strip`` removes), spelled out: to the JSON Schema
# tools that read openapi.json (ECMA-262 regular expressions) ``\s`` is another set,
# without U+001C to U+001F and U+0085, so they took a ticket of those for a valid one.
_SPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


class TicketParams(Contract):
    # Blank is no reference: the CSV import and the API strip it and refuse it.
    ticket: Annotated[str, Field(pattern=rf"^[^\u0000]*[^\u0000{_SPACE}][^\u0000]*$")]


class TicketEventInput(Input):
    event: Literal[
        "opened", "responded", "qualified", "resolved", "closed", "paused", "resumed", "reopened"
    ]
    timestamp: Annotated[
        str,
        Field(
            description="When it happened: ISO 8601 with its UTC offset.",
            examples=["2026-10-05T10:00:00+02:00", "2026-10-05T08:00:00Z"],
            json_schema_extra={"format": "date-time"},
        ),
    ]
    priority: Annotated[
        str | None,
        Field(pattern=_TEXT, description="The contract's word for it; required on opened."),
    ] = None
    reason: Annotated[
        Literal["waiting_client", "client_unavailable", "postponed_by_client"] | None,
        Field(description="Why the clock stops: required on paused, allowed on resumed."),
    ] = None
    note: Annotated[str, Field(pattern=_TEXT)] = ""


PARAMS: dict[str, type[Input]] = {
    "getOpenApi": Input,
    "listContracts": Input,
    "getStatus": Input,
    "getContract": Contract,
    "getContractStatus": Contract,
    "listClaims": Contract,
    "addMaintenance": Contract,
    "addExclusion": Contract,
    "addClaim": Contract,
    "addRenewal": Contract,
    "getReport": ReportParams,
    "listMaintenance": ListParams,
    "listExclusions": ListParams,
    "cancelMaintenance": Record,
    "revokeExclusion": Record,
    "listAudit": AuditParams,
    "listRenewals": RenewalParams,
    "getRenewal": ContractRenewalParams,
    "getSupportReport": SupportReportParams,
    "getTicket": TicketParams,
    "addTicketEvent": TicketParams,
}
BODIES: dict[str, type[Input]] = {
    "addMaintenance": MaintenanceInput,
    "addExclusion": ExclusionInput,
    "addClaim": ClaimInput,
    "addRenewal": RenewalInput,
    "addTicketEvent": TicketEventInput,
}


@cache
def request_schema(model: type[Input]) -> Json:
    """``model`` as ``openapi.json`` writes it: no titles, and an optional field with
    no default (``X | None = None``) as ``X`` left out of ``required``."""
    schema = model.model_json_schema()
    properties = {name: _property(value) for name, value in schema["properties"].items()}
    return {
        "type": "object",
        "required": schema.get("required", []),
        "additionalProperties": False,
        "properties": properties,
    }


def _property(schema: Json) -> Json:
    schema = {k: v for k, v in schema.items() if k != "title"}
    if "anyOf" in schema and schema.get("default", 0) is None:
        [kept] = [s for s in schema.pop("anyOf") if s != {"type": "null"}]
        del schema["default"]
        schema = kept | schema
    return schema
