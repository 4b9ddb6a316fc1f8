"""The workload: one trace of arrivals per replication, shared by every option."""
