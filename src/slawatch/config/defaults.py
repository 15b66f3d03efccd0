"""Every default of the config format, in one place.

The models take their defaults from here and the format's documentation
(``slawatch.config.models``) quotes them, so the two cannot drift apart silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from slawatch.sla.contract import Formula, UnknownPolicy
from slawatch.sla.exclusions import LateNotice

DATABASE_URL = "sqlite:///slawatch.db"  # a file next to where the agent runs
LISTEN = "127.0.0.1:9115"  # loopback: /metrics and the API are not exposed by accident
API_TOKENS = {"api": "SLAWATCH_API_TOKEN"}  # API writer name -> variable holding its token
WORKERS = 1  # probe processes: one probes ~800 HTTP targets a second on one core
SPOOL_DIR = "slawatch-spool"  # without an SQLite file to sit next to: in the working directory
SPOOL_MAX_BYTES = 1 << 30  # 1 GiB, ~70 B a sample: 5 h of 50,000 targets at 60 s, 10 days of 1,000

INTERVAL = 60  # seconds between probes (Prometheus' default scrape interval)
TIMEOUT_MS = 10_000  # a probe slower than this fails; must stay below the interval
CONFIRM_AFTER = 2  # consecutive failures before an outage counts (SPEC section 2)
HTTP_METHOD: Final = "GET"  # Final keeps its Literal type for the models
FOLLOW_REDIRECTS = True  # as blackbox_exporter: a site that moved to https is still up
VERIFY_TLS = True  # an untrusted or misnamed certificate is a failure a browser would show
DNS_RECORD_TYPE = "A"
HEARTBEAT_GRACE = 0  # seconds a job may report in late

REFERENCE = "24x7"  # reference time when a contract names no hours
NOTICE = 0  # seconds of notice a planned maintenance window needs
EMERGENCY_QUALIFIES = False  # emergency maintenance counts as downtime unless said otherwise
LATE_NOTICE = LateNotice.COUNTS  # a window declared too late does not qualify
EXCLUSIONS_COUNT_AS = Formula.AVAILABLE  # excluded time counts as available (Cegid's TD)
UNKNOWN_TIME = UnknownPolicy.EXCLUDED  # unobserved time is left out of both sides
MIN_COVERAGE = Decimal(95)  # percent of reference time observed before a report is billable
CLAIMS_REQUIRED = False  # credits owed without the customer reporting outages

SMTP_PORT = 587  # mail submission (RFC 6409), where STARTTLS and login are the norm
SMTP_STARTTLS = True  # never send a customer's account number in clear by default
SMTP_USERNAME = "SLAWATCH_SMTP_USERNAME"  # variables holding the login; unset: no login
SMTP_PASSWORD = "SLAWATCH_SMTP_PASSWORD"
SMTP_TIMEOUT = 30  # seconds per SMTP exchange before a send counts as failed
