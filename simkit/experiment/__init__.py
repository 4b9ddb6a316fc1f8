"""Replications on any executor, reuse, re-pricing, designs, sweeps, stored results."""
