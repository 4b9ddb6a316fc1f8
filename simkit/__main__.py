"""``python -m simkit``: the command line."""

from simkit.ui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
