"""Credentials out of every message: the one place that masks them.

A config holds secrets in URLs (``postgresql+psycopg://slawatch:PASSWORD@db/sla``, an
http target's ``https://user:PASSWORD@host/``). Messages quote URLs: a validation
error shows what was written, a refused reload is logged, a database error names the
database. Each goes through ``mask_credentials`` before anyone reads it.
"""

from __future__ import annotations

import re

MASK = "***"
# The password of a URL's user info: from the first ':' after the user name to the
# last '@' before a blank (a password may hold '@'; masking too much is harmless).
_USER_INFO = re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s]*@")
# libpq's keyword form in a URL's query: ?password=... or &sslpassword=..., up to the
# next parameter or a blank (punctuation before a blank ends the sentence, not the value).
_QUERY = re.compile(
    r"(?P<keep>[?&](?:ssl)?password=)[^&\s'\"]*?(?=[;,)]*(?:[&\s'\"]|$))", re.IGNORECASE
)


def mask_credentials(text: str) -> str:
    """``text`` with every password in a URL replaced by ``***``."""
    if "://" not in text and "password=" not in text.lower():
        return text  # most messages: no regular expression to run
    text = _USER_INFO.sub(rf"\g<keep>{MASK}@", text)
    return _QUERY.sub(rf"\g<keep>{MASK}", text)
