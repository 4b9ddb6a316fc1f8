"""Print the test tools `make lowest` installs beside simkit: the `test` extra without the notebook and browser tools.

Read from pyproject.toml so that the floors stay in one place; nbval and playwright are left out because the
lowest-versions run covers the library, not the notebooks or the browser.
"""

import tomllib
from pathlib import Path

SKIPPED = ("nbval", "playwright")

extras = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
print(" ".join(r for r in extras["optional-dependencies"]["test"] if not r.startswith(SKIPPED)))
