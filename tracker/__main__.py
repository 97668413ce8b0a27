"""Allow `python -m tracker` as an alias of the `sectrack` command."""

from tracker.cli import main

main()
