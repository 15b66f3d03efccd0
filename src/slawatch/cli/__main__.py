"""``python -m slawatch.cli``: the ``slawatch`` command, for a venv without its script."""

from slawatch.cli import main

main()
