"""Runs the end-to-end benchmark against Celery, Dramatiq or RQ, each with 2 worker processes on
the same loopback Redis as ours, results stored:

  throughput: N no-op jobs, from the first enqueue to the moment all N results are stored
  latency:    sequential enqueue -> result round trips, p50 and p99

    python others.py celery|dramatiq|rq --redis-port P [--jobs 20000] [--count 500] [--producers 4]

Prints one line per figure, `name key=value ...`, for run.sh to collect.
"""
import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))


def tree(pid):
    """pid and all its descendants, from /proc."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def peak_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(sorted_samples, p):
    i = max(0, min(len(sorted_samples) - 1, int(-(-p * len(sorted_samples) // 1)) - 1))
    return sorted_samples[i]


class System:
    """What differs between the three: how workers start, how to enqueue, wait, and count results."""

    def __init__(self, name, base, flush=True):
        self.name, self.base = name, base
        os.environ["BENCH_REDIS_BASE"] = base
        sys.path.insert(0, HERE)
        if name == "celery":
            import celery_tasks
            self.task = celery_tasks.noop
            self.results = redis.Redis.from_url(base + "/2")
            self.flush = [base + "/1", base + "/2"]
        elif name == "dramatiq":
            import dramatiq_tasks
            self.task = dramatiq_tasks.noop
            self.results = redis.Redis.from_url(base + "/4")
            self.flush = [base + "/3", base + "/4"]
        elif name == "rq":
            import rq
            import rq_tasks
            self.conn = redis.Redis.from_url(base + "/5")
            self.queue = rq.Queue("default", connection=self.conn)
            self.task = rq_tasks.noop
            self.registry = rq.registry.FinishedJobRegistry("default", connection=self.conn)
            self.flush = [base + "/5"]
        for url in self.flush if flush else []:
            redis.Redis.from_url(url).flushdb()

    def worker_commands(self):
        bindir = os.path.dirname(sys.executable)
        if self.name == "celery":
            return [[f"{bindir}/celery", "-A", "celery_tasks", "worker", "--pool", "prefork", "--concurrency", "2",
                     "--loglevel", "WARNING"]]
        if self.name == "dramatiq":
            return [[f"{bindir}/dramatiq", "dramatiq_tasks", "--processes", "2", "--threads", "8"]]
        # SimpleWorker runs jobs in the worker process: the default forks once per job, ~10x slower here.
        return [[f"{bindir}/rq", "worker", "--url", self.base + "/5", "--worker-class", "rq.worker.SimpleWorker",
                 "--quiet", "default"] for _ in range(2)]

    def enqueue(self):
        if self.name == "celery":
            return self.task.delay()
        if self.name == "dramatiq":
            return self.task.send()
        return self.queue.enqueue(self.task)

    def wait(self, handle, timeout=30):
        if self.name == "celery":
            return handle.get(timeout=timeout)
        if self.name == "dramatiq":
            return handle.get_result(block=True, timeout=timeout * 1000)
        result = handle.latest_result(timeout=timeout)
        if result is None or result.type != result.Type.SUCCESSFUL:
            raise RuntimeError(f"rq job {handle.id} did not succeed: {result}")
        return result.return_value

    def stored(self):
        if self.name == "rq":
            return self.registry.count
        return self.results.dbsize()

    def reset_results(self):
        if self.name == "rq":
            self.conn.delete(self.registry.key)
        else:
            self.results.flushdb()


def produce(system, base, count, ready, go):
    """A producer process: connects, says it is ready, waits for the start, enqueues `count` jobs."""
    s = System(system, base, flush=False)
    s.enqueue()  # connects and warms up the client; its result is not counted (cleared below)
    ready.wait()
    go.wait()
    for _ in range(count):
        s.enqueue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("system", choices=["celery", "dramatiq", "rq"])
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--jobs", type=int, default=20000)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--producers", type=int, default=4, help="processes enqueueing the throughput jobs")
    args = ap.parse_args()

    # A SIGTERM (run.sh stopping) unwinds through `finally`, which stops the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    s = System(args.system, f"redis://127.0.0.1:{args.redis_port}")
    env = dict(os.environ, PYTHONPATH=HERE, BENCH_REDIS_BASE=s.base)
    logs = open(os.path.join(os.environ.get("BENCH_LOG_DIR", "/tmp"), f"{args.system}-workers.log"), "w")
    workers = [subprocess.Popen(cmd, cwd=HERE, env=env, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True)
               for cmd in s.worker_commands()]
    try:
        # Warm up: workers up and the task imported everywhere.
        for _ in range(20):
            s.wait(s.enqueue(), timeout=120)
        # Producers in processes of their own (the GIL would serialize threads), connected before the clock starts.
        ctx = multiprocessing.get_context("spawn")
        ready, go = ctx.Barrier(args.producers + 1), ctx.Event()
        shares = [args.jobs // args.producers + (1 if i < args.jobs % args.producers else 0) for i in range(args.producers)]
        producers = [ctx.Process(target=produce, args=(args.system, s.base, n, ready, go)) for n in shares]
        for p in producers:
            p.start()
        ready.wait()
        # The producers' warm-up jobs: wait until they are stored, then clear every result.
        warm = 20 + args.producers
        while s.stored() < warm:
            time.sleep(0.01)
        s.reset_results()

        start = time.monotonic()
        go.set()
        for p in producers:
            p.join()
            if p.exitcode != 0:
                raise RuntimeError(f"a producer exited with {p.exitcode}")
        triggered = time.monotonic() - start
        deadline = start + 1800
        while s.stored() < args.jobs:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {s.stored()} of {args.jobs} results stored within 1800 s")
            time.sleep(0.005)
        elapsed = time.monotonic() - start
        print(f"throughput jobs={args.jobs} seconds={elapsed:.3f} per_second={args.jobs / elapsed:.0f} "
              f"triggered_in={triggered:.3f}", flush=True)

        samples = []
        for _ in range(args.count):
            t0 = time.monotonic()
            s.wait(s.enqueue())
            samples.append(time.monotonic() - t0)
        samples.sort()
        print(f"latency count={args.count} p50_ms={percentile(samples, 0.5) * 1000:.3f} "
              f"p99_ms={percentile(samples, 0.99) * 1000:.3f} max_ms={samples[-1] * 1000:.3f}", flush=True)

        pids = [p for w in workers for p in tree(w.pid)]
        print(f"rss processes={len(pids)} peak_total_mb={sum(peak_rss_kb(p) for p in pids) / 1024:.1f} "
              f"peak_max_mb={max(peak_rss_kb(p) for p in pids) / 1024:.1f}", flush=True)
    finally:
        for w in workers:
            try:
                os.killpg(w.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for w in workers:
            try:
                w.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait()


if __name__ == "__main__":
    main()
