"""Commands from Debian packages that some tests drive (promtool, prometheus): a test
without one is skipped, except under CI (``CI`` set), which must run every check."""

from __future__ import annotations

import os
import shutil

import pytest


def debian_tool(command: str, package: str) -> str:
    """The path of ``command``; skips the test where it is missing, fails it under CI."""
    found = shutil.which(command)
    if found is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{command} is missing (Debian package {package}); CI must run this check")
        pytest.skip(f"{command} not installed (Debian package {package})")
    return found
