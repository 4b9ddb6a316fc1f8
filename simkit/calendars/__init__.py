"""Working calendars and capacity timelines: when people work, in hours from the scenario start."""
