"""Presentation only: command line, dashboard, controls, charts, reports and lessons."""
