"""The running agent sends renewal notices: a real ``slawatch run`` process, killed
with SIGKILL and started again, and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import make_url

from slawatch.agent.leadership import CHECK_EVERY
from slawatch.sla.renewals import Delivery
from slawatch.store.leader import LOCK_CLASS
from slawatch.store.store import Store

from ..helpers import AgentProcess, free_port, wait_until, write_config
from .servers import MailServer

Launch = Callable[[Path, int], AgentProcess]


def renewal_contract(name: str, expires: str) -> str:
    return f"""\
  - name: {name}
    timezone: Europe/Paris
    renewal:
      expires: {expires}
      licence: subscription
      price: {{amount: 100, currency: EUR}}
      account: ACC-1
      renewal_id: RN-{name}
      product: Acronis Cyber Protect
      sku: SKU-1
      notices: {{recipients: [it@customer.example]}}
"""


def agent_config(path: Path, db: str, port: int, mail: MailServer, *items: str) -> Path:
    """``write_config``'s agent (one target on the discard port), plus agent.smtp and
    the renewal ``items``."""
    write_config(path, db=db, port=port, targets={"web": "http://127.0.0.1:9/"})
    text = path.read_text()
    assert "workers: 1," in text, "write_config's agent line changed: put agent.smtp in it"
    text = text.replace(
        "workers: 1,",
        f"workers: 1, smtp: {{host: 127.0.0.1, port: {mail.port}, sender: a@example.com, "
        "starttls: false},",
    )
    path.write_text(text + "".join(items))
    return path


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.close()


def keys(mail: MailServer) -> list[str]:
    return [str(r.message["Message-ID"]) for r in mail.received]


def test_killed_and_restarted_the_agent_sends_nothing_twice(
    tmp_path: Path, mail: MailServer, launch: Launch
) -> None:
    # Expiries set from today in Paris, so that notices are already due (late) when the
    # agent starts: D-90 and D-60 for the first item, D-90 to D-30 for the second.
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    first = renewal_contract("first", (today + timedelta(days=50)).isoformat())
    second = renewal_contract("second", (today + timedelta(days=20)).isoformat())
    db = f"sqlite:///{tmp_path}/agent.db"
    port = free_port()
    config = agent_config(tmp_path / "agent.yaml", db, port, mail, first)
    agent = launch(config, port)
    # The agent records a notice sent before its QUIT: the server's goodbyes, not the
    # messages it received, say that the rows are written. (A kill between the message
    # and its record is test_notifier's: that notice is left in doubt, never resent.)
    wait_until(lambda: mail.goodbyes == 2, "the two late notices of the first item")
    agent.process.kill()  # SIGKILL: no shutdown at all
    agent.process.wait(10)
    # Restarted with a second item: its three notices show the first pass has run.
    agent = launch(agent_config(config, db, port, mail, first, second), port)
    wait_until(lambda: mail.goodbyes == 5, "the second item's three notices")
    agent.stop()
    assert len(keys(mail)) == len(set(keys(mail))) == 5
    assert sum("first" in key for key in keys(mail)) == 2
    with Store.open(db) as store:
        found = store.notices()
    assert [(r.contract, r.offset_days, r.status, r.late) for r in found] == [
        ("first", -90, Delivery.SENT, True),
        ("first", -60, Delivery.SENT, True),
        ("second", -90, Delivery.SENT, True),
        ("second", -60, Delivery.SENT, True),
        ("second", -30, Delivery.SENT, True),
    ]


@pytest.mark.postgres
def test_a_follower_sends_no_notice_until_it_leads(
    tmp_path: Path, mail: MailServer, launch: Launch, pg_url: str
) -> None:
    """Two agents on one database must not send a notice twice: only the holder of the
    leader lock sends. Here the test's own session holds it; the agent sends once it is
    released and the agent takes it."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    item = renewal_contract("held", (today + timedelta(days=50)).isoformat())
    port = free_port()
    with psycopg.connect(_conninfo(pg_url), autocommit=True) as holder:
        taken = holder.execute(
            f"SELECT pg_try_advisory_lock({LOCK_CLASS}, hashtext(current_schema()))"
        ).fetchone()
        assert taken == (True,)
        agent = launch(agent_config(tmp_path / "agent.yaml", pg_url, port, mail, item), port)
        agent.wait_for(lambda m: m.value("slawatch_samples_written_total") >= 1, "a sample")
        time.sleep(2 * CHECK_EVERY)  # several leader checks and a notice pass: all followed
        assert agent.scrape().value("slawatch_agent_leader") == 0
        assert mail.received == []
    # The holder's session closed: its lock is free, the agent leads and sends the two.
    wait_until(lambda: len(mail.received) == 2, "the two late notices, once leading")
    assert agent.scrape().value("slawatch_agent_leader") == 1
    agent.stop()


def _conninfo(url: str) -> str:
    """A SQLAlchemy URL (with its search_path option) as libpq's conninfo."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
