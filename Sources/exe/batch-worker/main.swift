// batch-worker: entry point, filled in by its issue.
