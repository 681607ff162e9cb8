// batch-gateway: entry point, filled in by its issue.
