"""Statistics over replications: intervals, paired differences, risk, ranking and the decision record."""
