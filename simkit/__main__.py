"""``python -m simkit``: the ``simkit`` command, for when its script is not on the PATH."""

import sys

from simkit.ui.launch import main

if __name__ == "__main__":
    sys.exit(main())
