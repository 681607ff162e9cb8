// batchctl: entry point, filled in by its issue.
