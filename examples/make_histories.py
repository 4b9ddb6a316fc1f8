"""Write the example histories from their known ground truth: two in ``examples/data/``, one for the capstone.

    python examples/make_histories.py

The truth and the generators are in :mod:`simkit.fitting.demo` (``HELPDESK_TRUTH``, ``CONTACT_TRUTH``,
``NORTHWIND_TRUTH``); ``tests/test_fit.py`` checks that ``simkit fit`` recovers them and that the files
in the repository are what this script writes.  The output is the same on every run (fixed seeds).

* ``examples/data/helpdesk_tickets.csv`` and ``examples/data/contact_centre_intervals.csv``;
* ``notebooks/capstone/northwind_tickets.csv``: the capstone client's year of contacts (2025, New York
  wall-clock times, 57,000 contacts a year with a Q4 peak, a few messy rows), the data the students fit.
"""

from __future__ import annotations

from pathlib import Path

from simkit.fitting.demo import contact_centre_intervals, helpdesk_tickets, northwind_tickets

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "examples" / "data"
CAPSTONE = ROOT / "notebooks" / "capstone" / "northwind_tickets.csv"


def main() -> None:
    HERE.mkdir(exist_ok=True)
    written = [HERE / "helpdesk_tickets.csv", HERE / "contact_centre_intervals.csv", CAPSTONE]
    helpdesk_tickets().to_csv(written[0], index=False)
    contact_centre_intervals().to_csv(written[1], index=False)
    northwind_tickets().to_csv(written[2], index=False)
    for p in written:
        print(f"wrote {p} ({p.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
