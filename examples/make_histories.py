"""Write the two example histories in ``examples/data/`` from their known ground truth.

    python examples/make_histories.py

The truth and the generators are in :mod:`simkit.fitting.demo` (``HELPDESK_TRUTH``, ``CONTACT_TRUTH``);
``tests/test_fit.py`` checks that ``simkit fit`` recovers them.  The output is the same on every run
(fixed seeds), so the files in the repository can be regenerated and compared.
"""

from __future__ import annotations

from pathlib import Path

from simkit.fitting.demo import contact_centre_intervals, helpdesk_tickets

HERE = Path(__file__).resolve().parent / "data"


def main() -> None:
    HERE.mkdir(exist_ok=True)
    helpdesk_tickets().to_csv(HERE / "helpdesk_tickets.csv", index=False)
    contact_centre_intervals().to_csv(HERE / "contact_centre_intervals.csv", index=False)
    for p in sorted(HERE.glob("*.csv")):
        print(f"wrote {p} ({p.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
