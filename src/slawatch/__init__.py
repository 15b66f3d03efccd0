"""slawatch: availability monitoring and SLA credit agent."""


def version() -> str:
    """The installed distribution's version (the start log line, ``slawatch_build_info``,
    ``--version``); "unknown" when run from a tree that was never installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("slawatch")
    except PackageNotFoundError:
        return "unknown"
