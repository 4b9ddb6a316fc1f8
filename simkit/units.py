"""Units of time shared by every layer: the calendar year and month in hours."""

HOURS_PER_YEAR = 8766.0  # 365.25 days


HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0  # 730.5 h

