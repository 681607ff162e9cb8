import BatchCore
import Daemon
import Foundation
import Resilience
import Store
import Synchronization

/// One circuit breaker per worker instance, as this gateway sees it
/// (DESIGN.md §9), with operator overrides applied from Redis and states
/// published to Redis every second.
final class BreakerBoard: Sendable {
    struct State {
        var breakers: [String: CircuitBreaker] = [:]
        /// Override values already applied, so one operator action is applied once.
        var applied: [String: String] = [:]
    }

    let config: CircuitBreakerConfig
    let state = Mutex(State())
    let logger: Logger
    let clock = ContinuousClock()
    let origin: ContinuousClock.Instant
    let transitions: CounterFamily
    let rejected: CounterFamily

    init(config: CircuitBreakerConfig, logger: Logger, metrics: MetricsRegistry) {
        self.config = config
        self.logger = logger
        origin = clock.now
        transitions = metrics.counter("batch_breaker_transitions_total", help: "Circuit breaker transitions per worker.", labels: ["worker", "from", "to"])
        rejected = metrics.counter("batch_breaker_rejected_total", help: "Dispatches a breaker did not permit.", labels: ["worker"])
        // Read at scrape time under the board's lock, as Resilience4j's circuitbreaker gauges are.
        metrics.gauge("batch_breaker_state", help: "Circuit breaker state per worker: 1 for the state it is in, 0 for the others.",
                      labels: ["worker", "state"]) { [weak self] in
            (self?.figures() ?? []).flatMap { w, m in BreakerState.allCases.map { ([w, $0.rawValue], m.state == $0 ? 1.0 : 0.0) } }
        }
        metrics.gauge("batch_breaker_failure_rate", help: "Percent of failed calls in each worker's breaker window; -1 while it holds fewer than the minimum calls.",
                      labels: ["worker"]) { [weak self] in
            (self?.figures() ?? []).map { ([$0.0], $0.1.failureRate) }
        }
        metrics.gauge("batch_breaker_slow_call_rate", help: "Percent of slow calls in each worker's breaker window; -1 while it holds fewer than the minimum calls.",
                      labels: ["worker"]) { [weak self] in
            (self?.figures() ?? []).map { ([$0.0], $0.1.slowCallRate) }
        }
        metrics.gauge("batch_breaker_buffered_calls", help: "Calls in each worker's breaker window, by kind (successful, failed).",
                      labels: ["worker", "kind"]) { [weak self] in
            (self?.figures() ?? []).flatMap { w, m in [([w, "successful"], Double(m.successfulCalls)), ([w, "failed"], Double(m.failedCalls))] }
        }
    }

    /// Every breaker's figures now, for the scrape.
    func figures() -> [(String, BreakerMetrics)] {
        let t = now
        let out = state.withLock { s in
            s.breakers.map { w, b in
                var b = b
                b.advance(now: t)
                return (w, b.metrics(now: t))
            }
        }
        for (w, _) in out { _ = rejected.labels(w) }  // shown at 0 from the first breaker of a worker
        return out
    }

    /// Monotonic milliseconds since this board was made.
    var now: Int64 { (clock.now - origin).inMilliseconds }

    private func withBreaker<T>(_ worker: String, _ body: (inout CircuitBreaker, Int64) -> T) -> T {
        let t = now
        let (result, changes) = state.withLock { s -> (T, [BreakerTransition]) in
            var b = s.breakers[worker] ?? CircuitBreaker(config: config)
            b.advance(now: t)
            let r = body(&b, t)
            let changes = b.takeTransitions()
            s.breakers[worker] = b
            return (r, changes)
        }
        for c in changes {
            transitions.labels(worker, c.from.rawValue, c.to.rawValue).inc()
            logger.notice("circuit breaker changed", ["worker": worker, "from": c.from.rawValue, "to": c.to.rawValue, "cause": c.cause.rawValue])
        }
        return result
    }

    func wouldPermit(_ worker: String) -> Bool { withBreaker(worker) { b, t in b.wouldPermit(now: t) } }

    /// Half-open: the breaker lets a few probe calls through, each of which carries one execution.
    func isHalfOpen(_ worker: String) -> Bool { withBreaker(worker) { b, _ in b.state == .halfOpen } }

    func tryAcquire(_ worker: String) -> Bool {
        let ok = withBreaker(worker) { b, t in b.tryAcquirePermission(now: t) }
        if !ok { rejected.labels(worker).inc() }
        return ok
    }

    func success(_ worker: String, _ d: Duration) { withBreaker(worker) { b, t in b.onSuccess(duration: d, now: t) } }
    func failure(_ worker: String, _ d: Duration) { withBreaker(worker) { b, t in b.onError(duration: d, now: t) } }
    func ignored(_ worker: String) { withBreaker(worker) { b, t in b.onIgnored(now: t) } }

    /// Applies operator overrides (`forced_open`, `disabled`, `closed@<ms>`, `reset@<ms>`); an absent
    /// `forced_open`/`disabled` override that was applied before closes the breaker again.
    func apply(overrides: [String: String]) {
        let pending = state.withLock { s -> [(String, String?)] in
            var out: [(String, String?)] = []
            for (w, v) in overrides where s.applied[w] != v { out.append((w, v)) }
            for (w, v) in s.applied where overrides[w] == nil && (v == "forced_open" || v == "disabled") { out.append((w, nil)) }
            return out
        }
        for (w, v) in pending {
            let op: BreakerOperation
            switch v?.split(separator: "@").first.map(String.init) {
            case "forced_open": op = .forcedOpen
            case "disabled": op = .disabled
            case "closed": op = .closed
            case "reset": op = .reset
            case nil: op = .closed
            default:
                logger.warning("unknown breaker override ignored", ["worker": w, "value": v ?? ""])
                state.withLock { $0.applied[w] = v }
                continue
            }
            withBreaker(w) { b, t in b.transition(to: op, now: t) }
            state.withLock { $0.applied[w] = v }
        }
    }

    /// Every breaker's state as JSON (times on the wall clock), for `breakers:<gateway>`.
    func published(workers: Set<String>) -> [String: String] {
        let t = now
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return state.withLock { s in
            var out: [String: String] = [:]
            for w in workers.union(s.breakers.keys) {
                var b = s.breakers[w] ?? CircuitBreaker(config: config)
                b.advance(now: t)
                s.breakers[w] = b
                let m = b.metrics(now: t).rebased(from: t, to: wall)
                if let d = try? encoder.encode(m) { out[w] = String(decoding: d, as: UTF8.self) }
            }
            return out
        }
    }

    /// Forgets breakers of workers gone for good.
    func prune(keeping workers: Set<String>) {
        state.withLock { s in
            for w in s.breakers.keys where !workers.contains(w) && s.breakers[w]?.state == .closed {
                s.breakers[w] = nil
            }
        }
    }
}
