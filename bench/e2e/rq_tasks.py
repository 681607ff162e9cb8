"""The no-op job for RQ (queue `default` in db 5 of the benchmark's Redis)."""


def noop():
    return None
