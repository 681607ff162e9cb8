// batch-scheduler: entry point, filled in by its issue.
