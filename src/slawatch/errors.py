"""Every exception slawatch raises, under one root, and the line between what a user
got wrong and what slawatch got wrong.

``SlawatchError`` is the root: ``except SlawatchError`` catches what slawatch means
to raise and nothing else. ``UserError`` is input that slawatch refuses, raised by
the code that validates it: a config, a history file, a command-line value, a listen
address in use. The CLI prints its message (one ``error: ...`` line per line of it)
and exits 1. Every other exception is a bug and keeps its traceback, so that it gets
reported and fixed instead of passing for a typo. tests/test_errors.py checks that
this tree lists every exception class of the package, with its module::

    Exception
     +-- SlawatchError                   errors.py: the root
     |    +-- UserError                  errors.py: input refused, one line each
     |    |    +-- ConfigError           config/errors.py (also a ValueError)
     |    |    +-- UnknownNameError      config/errors.py: no contract or target by that name
     |    |    |    +-- PartMissingError config/errors.py: the contract lacks that part
     |    |    +-- CsvError              app/history_errors.py: FILE:LINE of a history file
     |    |    +-- SampleConflict        store/sample_import.py: a sample contradicts another
     |    |    +-- FieldError            app/records.py: an option or JSON field (a ValueError)
     |    |    |    +-- NoSupportPart    app/support.py: the contract has no support part
     |    |    |    +-- EventRefused     app/tickets.py: a ticket event its contract does not take
     |    |    |    +-- EventConflict    app/tickets.py: one that does not fit its ticket's events
     |    |    +-- NothingToClaim        app/records.py: no outage at a claim's instant
     |    |    +-- CannotClose           app/periods.py: a period not over, a change without reason
     |    |    +-- ListenError           agent/http/server.py: agent.listen cannot be served
     |    |    +-- MissingExtra          reports/formats.py: a format's library is not installed
     |    +-- StoreError                 store/database.py: the database cannot be used (the CLI
     |    |    |                         reports it too: not a bug, a database away)
     |    |    +-- Unavailable           store/database.py: down or locked; may work later
     |    |    +-- NotFound              store/database.py: no such record (a LookupError)
     |    |    +-- AlreadyClosed         app/periods.py: amend it instead
     |    |    +-- NothingChanged        app/periods.py: an amendment that changes nothing
     |    |    +-- TamperedReport        app/periods.py: a frozen report's hash no longer matches
     |    +-- DurationError              config/errors.py: a duration text (a ValueError)
     |    +-- _RowError                  app/history.py: a history row, before its place is known
     |    +-- _BadRow                    app/history.py: a bad row by index; its line is found after
     |    +-- SpoolError                 agent/spool.py: the spool directory cannot be used
     |    +-- NotDelivered               agent/notices/errors.py: a notice reached no one
     |    +-- ApiError                   agent/http/routing.py: an HTTP status and its message
     |    +-- ProbeFailure               probes/failures.py: a check the probe itself failed
     +-- ValueError
          +-- RenewalRefused             sla/renewals.py: core only, see below
          +-- TierError                  sla/credits.py: core only, see below

The pure core ``sla/`` imports only the standard library, holidays and dateutil (an
import-linter contract), so its exceptions cannot derive from ``SlawatchError``: they
derive from the built-in that says what they are, and the app layer translates them
where they cross into a use case (``RenewalRefused`` becomes a ``FieldError``, a
``TierError`` a ``ConfigError`` naming the tier's row and key).
"""

from __future__ import annotations


class SlawatchError(Exception):
    """The root of every exception slawatch defines outside its pure core."""


class UserError(SlawatchError):
    """Input that slawatch refuses; the message names the problem and its place."""
