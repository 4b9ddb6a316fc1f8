"""What a run cost and how it performed: usage, pricing, the ledger and the KPIs."""
