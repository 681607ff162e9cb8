"""The no-op task for Celery: broker in db 1, results in db 2 of the benchmark's Redis."""
import os

from celery import Celery

base = os.environ["BENCH_REDIS_BASE"]
app = Celery("celery_tasks", broker=base + "/1", backend=base + "/2")
app.conf.update(result_expires=3600, worker_hijack_root_logger=False)


@app.task
def noop():
    return None
