"""The agent's renewal notices end to end: a real SMTP server and a real webhook on
127.0.0.1, the real store (SQLite and PostgreSQL), an injected clock in Europe/Paris.

The seed's item expires on 2027-03-31: its notices run from 2026-12-31 (D-90) to
2027-04-29 (D+29), across the change to summer time on 2027-03-28.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import trustme

from slawatch.agent.notices import smtp
from slawatch.agent.notices.notifier import STUCK_AFTER, Notifier, retry_delay
from slawatch.config import Config, parse_config
from slawatch.sla.renewals import NOTICE_OFFSETS, Delivery
from slawatch.store.store import NoticeRecord, Store, StoreError

from ..helpers import wait_until
from .servers import HookServer, MailServer

PARIS = ZoneInfo("Europe/Paris")
EXPIRY = date(2027, 3, 31)
C = "acronis-cyber-protect"
CONFIG = """\
agent:
  smtp: {{host: 127.0.0.1, port: {port}, sender: slawatch@example.com, starttls: {starttls}, timeout: 5s}}
targets:
  - {{name: web, kind: http, url: "http://127.0.0.1:9/"}}
contracts:
  - name: acronis-cyber-protect
    timezone: Europe/Paris
    renewal:
      expires: {expires}
      licence: perpetual-maintenance
      price: {{amount: 1200, currency: EUR}}
      account: ACC-1234567
      renewal_id: RN-7654321
      product: Acronis Cyber Protect
      sku: PCWBHILOS21
      licences: 3
      notices:
        channels: {channels}
        recipients: [it@customer.example, boss@customer.example]
        {webhook}
"""


class Clock:
    """The notifier's time, moved by the test."""

    def __init__(self, local: str) -> None:
        self.now = 0.0
        self.set(local)

    def set(self, local: str) -> None:
        """``local``: a wall time in Paris, ``2026-12-31T09:00``."""
        self.now = datetime.fromisoformat(local).replace(tzinfo=PARIS).timestamp()

    def __call__(self) -> float:
        return self.now


def config_for(
    mail: MailServer,
    *,
    starttls: bool = False,
    hook: HookServer | None = None,
    expires: date = EXPIRY,
) -> Config:
    text = CONFIG.format(
        port=mail.port,
        starttls="true" if starttls else "false",
        expires=expires.isoformat(),
        channels="[smtp, webhook]" if hook else "[smtp]",
        webhook=f"webhook: {hook.url}" if hook else "",
    )
    return parse_config(text, "notices.yaml")


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.close()


@pytest.fixture
def hook() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.close()


def notifier(store: Store, config: Config, clock: Clock) -> Notifier:
    return Notifier(store, lambda: config, clock, environ={})


def rows(store: Store) -> dict[tuple[int, str], NoticeRecord]:
    return {(r.offset_days, r.channel): r for r in store.notices(C)}


def offsets(mail: MailServer) -> list[str]:
    return [str(r.message["Message-ID"]).split("@")[0].rsplit(".", 1)[1] for r in mail.received]


def test_every_notice_once_on_its_local_day_from_d90_to_d29(db_url: str, mail: MailServer) -> None:
    """Four passes a day (00:30, 09:00, 16:00 and 23:30 Paris time) over the whole
    cycle and beyond: seven messages, each on its own local date, none late."""
    clock = Clock("2026-12-20T00:30")
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail), clock)
        day = date(2026, 12, 20)
        while day <= date(2027, 5, 10):
            for wall in ("00:30", "09:00", "16:00", "23:30"):
                clock.set(f"{day}T{wall}")
                sender.tick()
                sent_on = {r.offset_days: r.due for r in store.notices(C)}
                assert max(sent_on.values(), default=day) <= day
            day += timedelta(days=1)
        found = rows(store)
    assert offsets(mail) == [f"{o:+d}" for o in NOTICE_OFFSETS]
    assert {(o, r.status, r.late) for (o, _), r in found.items()} == {
        (o, Delivery.SENT, False) for o in NOTICE_OFFSETS
    }
    for offset, record in found.items():
        sent = datetime.fromtimestamp(record.sent_at or 0, PARIS)
        assert (sent.date(), sent.strftime("%H:%M")) == (record.due, "00:30"), offset


def test_the_message_names_what_the_seed_lists(db_url: str, mail: MailServer) -> None:
    clock = Clock("2026-12-31T08:00")
    with Store.open(db_url) as store:
        assert notifier(store, config_for(mail), clock).tick() == 1
    [got] = mail.received
    assert got.mail_from == "slawatch@example.com"
    assert got.rcpt_tos == ["it@customer.example", "boss@customer.example"]
    message = got.message
    assert message["Subject"] == (
        "Acronis Cyber Protect: maintenance contract expires on 2027-03-31 (in 90 days)"
    )
    assert message["Message-ID"] == "<renewal.acronis-cyber-protect.2027-03-31.-90@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    body = got.body
    for line in (
        "Account number: ACC-1234567",
        "Renewal ID: RN-7654321",
        "Product: Acronis Cyber Protect",
        "SKU: PCWBHILOS21",
        "Licences: 3",
        "Expiry date: 2027-03-31 (the maintenance contract of a perpetual licence)",
        "Notice: D-90, due 2026-12-31",
        "State on 2026-12-31: notice",
        "Renewed by 2027-04-30: no reinstatement fee.",
        "Renewed from 2027-05-01 to 2028-03-31: a reinstatement fee of 20 % (240.00 EUR a "
        "year) on top of the price.",
        "After 2028-03-31: no renewal; a new licence must be bought.",
    ):
        assert line in body.splitlines(), line


def test_a_restart_sends_nothing_twice_and_the_missed_notice_late(
    db_url: str, mail: MailServer
) -> None:
    clock = Clock("2026-12-31T09:00")
    config = config_for(mail)
    with Store.open(db_url) as store:
        assert notifier(store, config, clock).tick() == 1  # D-90 on its day
    # The agent is down from 1 January to 5 February: D-60 (30 January) is missed.
    clock.set("2027-02-05T10:00")
    with Store.open(db_url) as store:  # a new process: a new store and notifier
        again = notifier(store, config, clock)
        assert again.tick() == 1
        assert again.tick() == 0
        found = rows(store)
    assert offsets(mail) == ["-90", "-60"]
    assert (found[(-90, "smtp")].late, found[(-60, "smtp")].late) == (False, True)
    assert mail.received[1].message["Subject"].startswith("[late, due 2027-01-30] ")
    assert "Notice: D-60, due 2027-01-30, sent late on 2027-02-05" in mail.received[1].body


def test_a_kill_after_the_server_accepted_never_sends_again(
    db_url: str, mail: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between the server's 250 and the row's ``sent``: at most once."""

    class Killed(BaseException):
        pass

    def killed(*_: object) -> bool:
        raise Killed

    clock = Clock("2026-12-31T09:00")
    config = config_for(mail)
    with Store.open(db_url) as store:
        monkeypatch.setattr(store, "notice_sent", killed)
        with pytest.raises(Killed):
            notifier(store, config, clock).tick()
    assert len(mail.received) == 1
    clock.set("2026-12-31T09:01")
    with Store.open(db_url) as store:
        restarted = notifier(store, config, clock)
        assert restarted.tick() == 0
        assert rows(store)[(-90, "smtp")].status is Delivery.SENDING
        clock.now += STUCK_AFTER
        assert restarted.tick() == 0
        row = rows(store)[(-90, "smtp")]
    assert row.status is Delivery.IN_DOUBT and row.sent_at is None
    assert "check the server's log" in (row.last_error or "")
    assert len(mail.received) == 1


def test_the_notice_is_recorded_sent_before_the_server_says_goodbye(
    db_url: str, mail: MailServer
) -> None:
    """The server holds its answer to QUIT: the row already says ``sent``, so an agent
    killed at that point leaves no notice in doubt (nor any to send again)."""
    mail.answer_quit.clear()
    clock = Clock("2026-12-31T09:00")
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail), clock)
        passing = threading.Thread(target=sender.tick)
        passing.start()
        try:
            wait_until(lambda: mail.goodbyes == 1, "the notifier's QUIT")
            row = rows(store)[(-90, "smtp")]
        finally:
            mail.answer_quit.set()
            passing.join(10)
    assert (row.status, row.late, row.sent_at) == (Delivery.SENT, False, int(clock.now))
    assert offsets(mail) == ["-90"]


def test_a_connection_cut_during_data_leaves_the_notice_in_doubt(
    db_url: str, mail: MailServer
) -> None:
    mail.refuse = "drop"
    clock = Clock("2026-12-31T09:00")
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail), clock)
        assert sender.tick() == 0
        mail.refuse = None
        clock.now += 2 * 86400
        assert sender.tick() == 0
        row = rows(store)[(-90, "smtp")]
    assert row.status is Delivery.IN_DOUBT
    assert row.last_error is not None and "SMTPServerDisconnected" in row.last_error
    assert mail.received == []


@pytest.mark.parametrize(
    ("refuse", "error"),
    [
        (
            "rcpt",
            "the server refused the recipient it@customer.example: 550 5.1.1 "
            "<it@customer.example>: no such mailbox",
        ),
        ("data", "the server refused the message: 554 5.7.1 message refused"),
    ],
)
def test_a_refusing_server_is_retried_with_backoff_and_the_notice_is_not_lost(
    db_url: str, mail: MailServer, refuse: str, error: str
) -> None:
    mail.refuse = refuse
    clock = Clock("2026-12-31T09:00")
    start = clock.now
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail), clock)
        tries = []
        for _ in range(6):  # bounded: six failures, each retried later
            assert sender.tick() == 0
            row = rows(store)[(-90, "smtp")]
            tries.append(row.retry_at - clock.now)
            assert sender.tick() == 0  # before its retry time: not tried again
            clock.now = row.retry_at
        assert (row.status, row.attempts, row.last_error) == (Delivery.DUE, 6, error)
        assert mail.attempts == 6
        mail.refuse = None
        assert sender.tick() == 1
        row = rows(store)[(-90, "smtp")]
    assert tries == [retry_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 960]
    assert (row.status, row.late) == (Delivery.SENT, False)  # still 31 December
    assert clock.now - start == sum(tries)
    assert len(mail.received) == 1


def test_an_unreachable_server_is_retried(db_url: str, mail: MailServer) -> None:
    config = config_for(mail)
    mail.close()
    clock = Clock("2026-12-31T09:00")
    with Store.open(db_url) as store:
        assert notifier(store, config, clock).tick() == 0
        row = rows(store)[(-90, "smtp")]
    assert (row.status, row.attempts) == (Delivery.DUE, 1)
    assert row.last_error is not None and row.last_error.startswith(
        f"cannot reach 127.0.0.1:{mail.port}: "
    )


def test_starttls_and_login_from_the_environment(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what ssl's default context trusts
    mail = MailServer(tls=server_context, login=("notices", "s3cret"))
    try:
        config = config_for(mail, starttls=True)
        clock = Clock("2026-12-31T09:00")
        environ = {"SLAWATCH_SMTP_USERNAME": "notices", "SLAWATCH_SMTP_PASSWORD": "wrong"}
        with Store.open(db_url) as store:
            sender = Notifier(store, lambda: config, clock, environ)
            assert sender.tick() == 0
            error = rows(store)[(-90, "smtp")].last_error
            environ["SLAWATCH_SMTP_PASSWORD"] = "s3cret"
            clock.now += retry_delay(1)
            assert sender.tick() == 1
    finally:
        mail.close()
    assert error == (
        f"127.0.0.1:{mail.port}: login as notices ($SLAWATCH_SMTP_USERNAME, "
        "$SLAWATCH_SMTP_PASSWORD) failed: 535 5.7.8 Authentication credentials invalid"
    )
    [got] = mail.received
    assert (got.tls, got.login) == (True, "notices")


def test_the_webhook_gets_json_and_is_retried(
    db_url: str, mail: MailServer, hook: HookServer
) -> None:
    hook.status = 500
    clock = Clock("2027-04-15T09:00")  # D+15; the earlier ones are late
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail, hook=hook), clock)
        assert sender.tick() == 6  # six e-mails; every POST answered 500
        assert {r.channel for r in store.notices(C) if r.status is Delivery.DUE} == {"webhook"}
        hook.status = 200
        clock.now += retry_delay(1)
        assert sender.tick() == 6
        found = rows(store)
    body, headers = hook.received[-1]
    assert headers["Idempotency-Key"] == "acronis-cyber-protect.2027-03-31.+15"
    assert body == {
        "contract": C,
        "account": "ACC-1234567",
        "renewal_id": "RN-7654321",
        "product": "Acronis Cyber Protect",
        "sku": "PCWBHILOS21",
        "licences": 3,
        "licence": "perpetual-maintenance",
        "expires": "2027-03-31",
        "offset_days": 15,
        "due": "2027-04-15",
        "sent_on": "2027-04-15",
        "state": "grace",
        "renewal_price": "1200",
        "fee": "0.00",
        "currency": "EUR",
        "grace_until": "2027-04-30",
        "renewable_until": "2028-03-31",
        "late": False,
        "text": "Acronis Cyber Protect: maintenance contract expired on 2027-03-31 (15 days ago)",
    }
    assert [b["offset_days"] for b, _ in hook.received] == [-90, -60, -30, -15, 0, 15]
    assert found[(15, "webhook")].attempts == 1
    assert "500 Internal Server Error" in (found[(15, "webhook")].last_error or "")
    assert {r.late for (o, _), r in found.items() if o < 15} == {True}


def test_two_agents_on_one_database_send_each_notice_once(db_url: str, mail: MailServer) -> None:
    clock = Clock("2027-03-20T09:00")  # four notices due, three of them late
    config = config_for(mail)
    with Store.open(db_url) as first, Store.open(db_url) as second:
        agents = [notifier(first, config, clock), notifier(second, config, clock)]
        counts: list[int] = []
        threads = [threading.Thread(target=lambda a=a: counts.append(a.tick())) for a in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(offsets(mail)) == sorted(["-90", "-60", "-30", "-15"])
    assert sum(counts) == 4


def test_a_renewal_stops_the_old_cycle_and_a_lapsed_item_gets_nothing(
    db_url: str, mail: MailServer
) -> None:
    clock = Clock("2027-03-01T09:00")
    config = config_for(mail)
    terms = config.contract(C).renewal_terms()
    with Store.open(db_url) as store:
        sender = notifier(store, config, clock)
        assert sender.tick() == 3  # D-90, D-60, D-30
        store.add_renewal(C, terms, date(2027, 3, 2), 1, "alice")
        for day in ("2027-03-16", "2027-03-31", "2027-04-29", "2027-12-31", "2028-01-01"):
            clock.set(f"{day}T09:00")
            sender.tick()
    # The old cycle's D-15 ... D+29 never go out; the new expiry's D-90 does.
    assert offsets(mail) == ["-90", "-60", "-30", "-90"]
    assert "2028-03-31" in mail.received[-1].message["Subject"]
    mail.received.clear()
    old = config_for(mail, expires=date(2024, 3, 31))
    with Store.open(db_url) as store:
        assert notifier(store, old, clock).tick() == 0
        assert store.notices(C, date(2024, 3, 31)) == []


def test_a_store_that_fails_ends_the_pass_quietly(
    db_url: str, mail: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_: object) -> None:
        raise StoreError("database away")

    clock = Clock("2026-12-31T09:00")
    with Store.open(db_url) as store:
        monkeypatch.setattr(store, "stuck_notices", down)
        assert notifier(store, config_for(mail), clock).tick() == 0
    assert mail.received == []


def test_an_unexpected_failure_before_the_hand_over_is_logged_and_tried_again(
    db_url: str, mail: MailServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    clock = Clock("2026-12-31T09:00")
    with Store.open(db_url) as store:
        sender = notifier(store, config_for(mail), clock)
        with monkeypatch.context() as patch:
            patch.setattr(smtp.SmtpSender, "_envelope", broken)
            assert sender.tick() == 0
        row = rows(store)[(-90, "smtp")]
        assert (row.status, row.attempts) == (Delivery.DUE, 0)
        assert "renewal notice failed before the hand-over" in caplog.text
        assert sender.tick() == 1
    assert offsets(mail) == ["-90"]
