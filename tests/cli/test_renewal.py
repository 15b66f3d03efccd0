"""``slawatch renewal status|add`` on the seed's acronis-cyber-protect (SPEC section 7)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner, Result

from slawatch.cli import common as cli_common
from slawatch.cli import main
from slawatch.sla.renewals import notice_schedule
from slawatch.store.store import Store

from .conftest import SEED

C = "acronis-cyber-protect"
EXPIRY = date(2027, 3, 31)
SPEC_FIELDS = {
    "contract",
    "expires",
    "state",
    "next_notice",
    "renewable",
    "renewal_price",
    "fee",
    "currency",
    "notices",
}


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["renewal", *args, "-c", SEED, "--db", db_url])


def status(db_url: str, *args: str) -> list[dict[str, object]]:
    result = run(db_url, "status", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def test_status_in_reinstatement_gives_the_spec_fields(db_url: str) -> None:
    [item] = status(db_url, "--contract", C, "--on", "2027-05-15")
    assert set(item) >= SPEC_FIELDS
    assert {k: item[k] for k in SPEC_FIELDS - {"notices"}} == {
        "contract": C,
        "expires": "2027-03-31",
        "state": "reinstatement",
        "next_notice": None,
        "renewable": True,
        "renewal_price": 1200,
        "fee": 240,
        "currency": "EUR",
    }
    notices = item["notices"]
    assert isinstance(notices, list)
    assert [(n["date"], n["offset_days"], n["sent_at"], n["late"]) for n in notices] == [
        (n.due.isoformat(), n.offset_days, None, True) for n in notice_schedule(EXPIRY)
    ]


@pytest.mark.parametrize(
    ("on", "state", "next_notice", "fee"),
    [
        ("2026-12-30", "active", "2026-12-31", 0),
        ("2026-12-31", "notice", "2026-12-31", 0),
        ("2027-04-30", "grace", None, 0),
        ("2027-05-01", "reinstatement", None, 240),
        ("2028-04-01", "lapsed", None, None),
    ],
)
def test_status_across_the_states(
    db_url: str, on: str, state: str, next_notice: str | None, fee: int | None
) -> None:
    [item] = status(db_url, "--on", on)
    assert (item["state"], item["next_notice"], item["fee"]) == (state, next_notice, fee)
    assert item["renewable"] is (fee is not None)


def test_status_table(db_url: str) -> None:
    result = run(db_url, "status", "--on", "2027-05-15", "--format", "table")
    assert (result.exit_code, result.output) == (
        0,
        "contract               expires     state          next_notice  renewable  fee     currency  notices\n"
        "acronis-cyber-protect  2027-03-31  reinstatement  -            yes        240.00  EUR       0/7 sent\n",
    )


def test_status_defaults_to_today_in_the_contracts_zone(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2027-04-29T22:30Z is already 30 April in Paris: the last day of grace, not the 29th.
    instant = int(datetime.fromisoformat("2027-04-29T22:30:00+00:00").timestamp())
    monkeypatch.setattr(cli_common, "now", lambda: instant)
    [item] = status(db_url)
    assert (item["on"], item["state"], item["next_notice"]) == ("2027-04-30", "grace", None)


def test_add_records_from_the_original_expiry_and_prints_the_fee(db_url: str) -> None:
    result = run(db_url, "add", "--contract", C, "--on", "2027-05-15", "--years", "1")
    assert (result.exit_code, result.output) == (
        0,
        f"renewal #1 of {C} on 2027-05-15 (reinstatement): 1 year from 2027-03-31, "
        "expires 2028-03-31; price 1200 EUR, reinstatement fee 240.00 EUR\n",
    )
    [item] = status(db_url, "--on", "2027-05-15")
    assert (item["expires"], item["state"], item["fee"]) == ("2028-03-31", "active", 0)
    assert item["next_notice"] == "2028-01-01"
    [before] = status(db_url, "--on", "2027-05-14")  # the renewal was not made yet
    assert (before["expires"], before["state"]) == ("2027-03-31", "reinstatement")
    with Store.open(db_url) as store:
        [entry] = store.audit_log(C)
    assert entry.action == "renewal.add"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--contract", C, "--on", "2028-04-01", "--years", "1"],
            "error: --on: not renewable on 2028-04-01: the item expired on 2027-03-31 and "
            "lapsed after 2028-03-31; a new licence must be bought\n",
        ),
        (
            ["--contract", C, "--on", "2027-05-15", "--years", "0"],
            "error: --years: must be a whole number >= 1 (got 0)\n",
        ),
        (
            ["--contract", C, "--on", "2027-05-15", "--years", "-1"],
            "error: --years: must be a whole number >= 1 (got -1)\n",
        ),
        (
            ["--contract", "acronis", "--on", "2027-05-15", "--years", "1"],
            "error: unknown contract 'acronis' (known: acronis-cyber-protect, cegid-portal, "
            "ipfolio, smileo-backup)\n",
        ),
        (
            ["--contract", "ipfolio", "--on", "2027-05-15", "--years", "1"],
            "error: contract 'ipfolio' has no renewal part (renewal)\n",
        ),
        (
            ["--contract", C, "--on", "2026-03-31", "--years", "1"],
            "error: --on: 2026-03-31 is before the item exists (it starts on 2026-04-01)\n",
        ),
        (
            ["--contract", C, "--on", "2027-02-30", "--years", "1"],
            "error: --on: not a date: February 2027 has 28 days (got 2027-02-30)\n",
        ),
    ],
    ids=[
        "lapsed",
        "zero-years",
        "negative-years",
        "unknown-contract",
        "no-renewal-part",
        "before-the-item-exists",
        "impossible-date",
    ],
)
def test_a_refused_renewal_is_one_line_and_records_nothing(
    db_url: str, args: list[str], message: str
) -> None:
    result = run(db_url, "add", *args)
    assert (result.exit_code, result.output) == (1, message)
    with Store.open(db_url) as store:
        assert store.renewals(C, EXPIRY) == [] and store.audit_log() == []


def test_status_shows_the_notices_sent(db_url: str) -> None:
    schedule = notice_schedule(EXPIRY)
    sent_at = int(datetime.fromisoformat("2027-01-02T09:00:00+01:00").timestamp())
    with Store.open(db_url) as store:
        store.add_due_notices(C, EXPIRY, [(schedule[0], "smtp"), (schedule[1], "smtp")], 0)
        first = store.notices(C, EXPIRY)[0]
        store.claim_notice(first.id, sent_at)
        store.notice_sent(first.id, sent_at, late=True)
    [item] = status(db_url, "--on", "2027-01-20")
    notices = item["notices"]
    assert isinstance(notices, list)
    assert notices[0] == {
        "date": "2026-12-31",
        "offset_days": -90,
        "sent_at": "2027-01-02T09:00:00+01:00",
        "late": True,
        "channels": [
            {
                "channel": "smtp",
                "status": "sent",
                "sent_at": "2027-01-02T09:00:00+01:00",
                "attempts": 0,
                "last_error": None,
            }
        ],
    }
    assert (notices[1]["sent_at"], notices[1]["late"]) == (None, False)  # due 2027-01-30
    table = run(db_url, "status", "--on", "2027-01-20")
    assert table.output.splitlines()[1].endswith("1/7 sent, 1 late")


def test_status_of_a_contract_without_a_renewal_part_is_one_line(db_url: str) -> None:
    result = run(db_url, "status", "--contract", "ipfolio")
    assert (result.exit_code, result.output) == (
        1,
        "error: contract 'ipfolio' has no renewal part (renewal)\n",
    )
    result = run(db_url, "status", "--on", "tomorrow")
    assert (result.exit_code, result.output) == (
        1,
        "error: --on: must be a date YYYY-MM-DD (got tomorrow)\n",
    )
