"""A notice as a JSON POST, for chat tools (Slack, Mattermost, Teams workflows...).

The body is the notice's facts plus ``text`` (its one-line title, which most chat
webhooks display). The ``Idempotency-Key`` header carries the notice's key, so a
receiver that honours it can drop a duplicate. A URL may hold a secret token, so
messages name only its host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from slawatch.agent.notices.content import NoticeContent
from slawatch.agent.notices.errors import NotDelivered
from slawatch.agent.notices.handover import HandOver

TIMEOUT = 10.0  # seconds to connect, and to get the answer


def post_notice(content: NoticeContent, url: str, hand_over: HandOver) -> bool:
    """POST ``content`` to ``url``; ``hand_over.claim()`` first (false: abandoned),
    ``hand_over.accepted()`` once the receiver answered with success. Raises
    ``NotDelivered`` when the receiver could not be reached or answered with an error;
    any other exception means it may or may not have been received."""
    host = urlsplit(url).netloc
    if not hand_over.claim():
        return False
    headers = {"Idempotency-Key": content.key}
    try:
        with httpx.Client(timeout=TIMEOUT) as client:
            response = client.post(url, json=content.payload, headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise NotDelivered(f"cannot reach {host}: {exc}") from None
    if not response.is_success:
        raise NotDelivered(f"{host} answered {response.status_code} {response.reason_phrase}")
    hand_over.accepted()
    return True
