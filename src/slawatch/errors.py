"""The line between what a user got wrong and what slawatch got wrong.

``UserError`` is input that slawatch refuses, raised by the code that validates
it: a config, a history file, a command-line value, a listen address in use. The
CLI prints its message (one ``error: ...`` line per line of it) and exits 1.
Every other exception is a bug and keeps its traceback, so that it gets
reported and fixed instead of passing for a typo::

    Exception
     +-- UserError
     |    +-- ConfigError           config/errors.py (also a ValueError)
     |    +-- UnknownNameError      config/errors.py: no such contract or target (a LookupError)
     |    +-- CsvError              app/history_errors.py: FILE:LINE of a history file
     |    +-- SampleConflict        store/sample_import.py: a sample contradicts another
     |    +-- FieldError            app/records.py: an option or JSON field (a ValueError)
     |    |    +-- NoSupportPart      app/support.py: a contract without a support part
     |    |    +-- EventRefused       app/tickets.py: a ticket event the contract does not take
     |    |    +-- EventConflict      app/tickets.py: one that does not fit its ticket's events
     |    +-- NothingToClaim        app/records.py: no outage at a claim's instant
     |    +-- CannotClose           app/periods.py: a period not over, a change without reason
     |    +-- ListenError           agent/http/server.py: agent.listen cannot be served
     +-- StoreError                 store/database.py: the database cannot be used (the CLI
                                    reports it too: not a bug, a database away)
"""

from __future__ import annotations


class UserError(Exception):
    """Input that slawatch refuses; the message names the problem and its place."""
