"""Renewal notices sent by the agent: what they say (content), how (smtp, webhook),
and when, once each (notifier)."""
