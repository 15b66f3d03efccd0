"""The mail server the agent sends renewal notices through (``agent.smtp``).

The server's address is configuration; its credentials are secrets, so the file
names the environment variables that hold them, read when a notice is sent. With
the user name's variable unset or empty, the agent sends without logging in.
"""

from __future__ import annotations

from pydantic import Field

from slawatch.config import defaults
from slawatch.config.base import ConfigModel
from slawatch.config.fields import Seconds, Variable
from slawatch.config.renewals import Address
from slawatch.config.targets import Host


class Smtp(ConfigModel):
    """An SMTP submission server: STARTTLS on by default, login from the environment."""

    host: Host = Field(examples=["smtp.example.com"])
    port: int = Field(default=defaults.SMTP_PORT, ge=1, le=65535, strict=True, examples=[587])
    sender: Address = Field(examples=["slawatch@example.com"])
    starttls: bool = Field(default=defaults.SMTP_STARTTLS, examples=["true"])
    username: Variable = Field(default=defaults.SMTP_USERNAME, examples=["SLAWATCH_SMTP_USERNAME"])
    password: Variable = Field(default=defaults.SMTP_PASSWORD, examples=["SLAWATCH_SMTP_PASSWORD"])
    timeout: Seconds = Field(default=defaults.SMTP_TIMEOUT, examples=["30s"])
