import BatchCore
import Foundation
import Synchronization

/// What the background queue hands back to the UI thread.
enum SamplerMessage: Sendable {
    case snapshot(ConsoleSnapshot)
    case detail(ExecutionDetail)
    case jobTypes([JobTypeInfo])
    /// A fetch failed: shown in the status line until the next good one.
    case dataError(String)
    /// An action (trigger, cancel, retry, breaker, schedule) ended.
    case actionDone(String, isError: Bool)
}

/// Makes every data-source call on one serial background queue, so blocking calls
/// (Redis, HTTP) never stall the thread that draws; answers wait in an inbox the UI
/// thread drains between keys.
final class Sampler: Sendable {
    private let source: any ConsoleDataSource
    private let queue = DispatchQueue(label: "batchtop.data")
    private let inbox = Mutex<[SamplerMessage]>([])
    private let inFlight = Atomic<Bool>(false)

    init(_ source: any ConsoleDataSource) { self.source = source }

    /// Whether a sample is still being taken (so the UI does not queue another).
    var sampling: Bool { inFlight.load(ordering: .acquiring) }

    /// Takes a snapshot (and the open execution's detail, with its whole output for the
    /// log view) in the background.
    func sample(filter: String, limit: Int, detail id: String?, wholeLog: Bool = false) {
        inFlight.store(true, ordering: .releasing)
        queue.async { [self] in
            defer { inFlight.store(false, ordering: .releasing) }
            do {
                let snap = try source.snapshot(filter: filter.isEmpty ? nil : filter, limit: limit)
                post(.snapshot(snap))
            } catch {
                post(.dataError(String(describing: error)))
                return
            }
            if let id { fetchDetail(id, wholeLog: wholeLog) }
        }
    }

    func detail(_ id: String) {
        queue.async { [self] in fetchDetail(id) }
    }

    private func fetchDetail(_ id: String, wholeLog: Bool = false) {
        do { post(.detail(try wholeLog ? source.log(id: id) : source.detail(id: id))) } catch { post(.actionDone("execution \(id): \(error)", isError: true)) }
    }

    func jobTypes() {
        queue.async { [self] in
            do { post(.jobTypes(try source.jobTypes())) } catch { post(.actionDone("job types: \(error)", isError: true)) }
        }
    }

    func perform(_ action: ConsoleAction) {
        queue.async { [self] in
            do {
                switch action {
                case .trigger(let job, let params, let runLater):
                    let id = try source.trigger(job: job, params: params, runLater: runLater)
                    post(.actionDone((runLater == .now ? "triggered" : "scheduled") + " \(job): \(id)", isError: false))
                case .cancel(let id):
                    try source.cancel(id: id)
                    post(.actionDone("cancel requested for \(id)", isError: false))
                case .retry(let id):
                    let new = try source.retry(id: id)
                    post(.actionDone("retried \(id) as \(new)", isError: false))
                case .cancelTagged(let ids):
                    each(ids, "cancel-tagged", action, done: "cancel requested for \(ids.count) executions") { try source.cancel(id: $0) }
                case .retryTagged(let ids):
                    each(ids, "retry-tagged", action, done: "retried \(ids.count) executions") { _ = try source.retry(id: $0) }
                case .openExecution(let id):
                    fetchDetail(id)
                case .openLog(let id):
                    fetchDetail(id, wholeLog: true)
                case .loadJobTypes:
                    post(.jobTypes(try source.jobTypes()))
                case .breaker(let worker, let o):
                    try source.setBreaker(worker: worker, o)
                    post(.actionDone("breakers of \(worker) \(o.done) in every gateway (each applies it within about a second)", isError: false))
                case .pauseSchedule(let name, let paused):
                    try source.setPaused(schedule: name, paused)
                    post(.actionDone("schedule \(name) \(paused ? "paused" : "resumed") for every scheduler", isError: false))
                case .triggerSchedule(let name):
                    let id = try source.triggerSchedule(name: name)
                    post(.actionDone("ran schedule \(name)'s job now: \(id)", isError: false))
                }
            } catch {
                post(.actionDone("\(action.verb) failed: \(error)", isError: true))
            }
        }
    }

    /// Acts on each id, going on past a failure, then audits the operator's action once as `audited`;
    /// the outcome names how many failed and the first error.
    private func each(_ ids: [String], _ audited: String, _ action: ConsoleAction, done: String, _ body: (String) throws -> Void) {
        var failed: [String] = []
        for id in ids {
            do { try body(id) } catch { failed.append("\(id): \(error)") }
        }
        var audit = ""
        do { try source.auditTagged(action: audited, ids: ids, failed: failed.count) } catch { audit = "; not audited: \(error)" }
        if let first = failed.first {
            post(.actionDone("\(action.verb): \(failed.count) of \(ids.count) failed, first \(first)\(audit)", isError: true))
        } else {
            post(.actionDone(done + audit, isError: !audit.isEmpty))
        }
    }

    /// Waits until the queue has run everything handed to it so far.
    func drainQueue() { queue.sync {} }

    private func post(_ m: SamplerMessage) { inbox.withLock { $0.append(m) } }

    /// Takes everything that arrived since the last call.
    func take() -> [SamplerMessage] { inbox.withLock { box in defer { box.removeAll() }; return box } }
}

extension ConsoleState {
    /// Applies one answer from the background queue.
    mutating func apply(_ m: SamplerMessage) {
        switch m {
        case .snapshot(let s): apply(snapshot: s)
        case .detail(let d): apply(detail: d)
        case .jobTypes(let j): apply(jobTypes: j)
        case .dataError(let e): apply(dataError: e)
        case .actionDone(let text, let isError): report(text, isError: isError)
        }
    }
}
