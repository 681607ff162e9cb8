"""The no-op actor for Dramatiq: broker in db 3, results in db 4 of the benchmark's Redis."""
import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.results import Results
from dramatiq.results.backends import RedisBackend

base = os.environ["BENCH_REDIS_BASE"]
broker = RedisBroker(url=base + "/3")
broker.add_middleware(Results(backend=RedisBackend(url=base + "/4")))
dramatiq.set_broker(broker)


@dramatiq.actor(store_results=True)
def noop():
    return None
