import FoundationEssentials
import Glibc
import Synchronization

/// Runs a daemon's services: starts them in order, runs them together, and
/// stops them in reverse order within a drain deadline.
///
/// - A stop request (SIGTERM/SIGINT through `handle(signal:)`) starts a
///   graceful stop; a second one stops at once without waiting.
/// - A service whose `run()` throws, or returns unasked, stops the group;
///   `run()` then throws that failure.
/// - A reload request (SIGHUP) calls `onReload`; one reload runs at a time.
/// - systemd hears `READY=1` once every service has started and `STOPPING=1`
///   when the stop begins.
///
/// ```swift
/// let group = ServiceGroup(services: [store, http, dispatcher], logger: log,
///                          notifier: try SystemdNotifier())
/// await group.runAsMain()   // handles signals, logs the outcome, exits 0 or 1
/// ```
public final class ServiceGroup: Sendable {
    enum Event: Sendable {
        case started(Int, (any Error)?)
        case exited(Int, (any Error)?)
        case stop(immediate: Bool)
        case reload
        case reloadDone
        case deadline
    }

    public let services: [any Service]
    public let drainDeadline: Duration
    let logger: Logger
    let notifier: SystemdNotifier
    let onReload: (@Sendable () async -> Void)?
    let events: AsyncStream<Event>
    let sink: AsyncStream<Event>.Continuation
    private let stopRequests = Mutex(0)
    let consumed = Mutex(false)

    public init(services: [any Service], logger: Logger, drainDeadline: Duration = .seconds(30),
                notifier: SystemdNotifier = SystemdNotifier(address: nil),
                onReload: (@Sendable () async -> Void)? = nil) {
        self.services = services
        self.logger = logger
        self.drainDeadline = drainDeadline
        self.notifier = notifier
        self.onReload = onReload
        (events, sink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Asks for a graceful stop; a second request (or `immediately`) stops without draining.
    public func requestStop(immediately: Bool = false) {
        let n = stopRequests.withLock { n in n += 1; return n }
        sink.yield(.stop(immediate: immediately || n > 1))
    }

    /// Asks for `onReload` to run.
    public func requestReload() { sink.yield(.reload) }

    /// SIGTERM and SIGINT stop, SIGHUP reloads; other signals are ignored.
    public func handle(signal: Int32) {
        switch signal {
        case SIGTERM, SIGINT: stopSignalReceived(signal)
        case SIGHUP: reloadSignalReceived(signal)
        default: break
        }
    }

    private func stopSignalReceived(_ signal: Int32) {
        let n = stopRequests.withLock { $0 }
        logger.notice(n == 0 ? "stop requested; draining" : "second stop request; stopping at once",
                      ["signal": ServiceGroup.signalName(signal)])
        requestStop()
    }

    private func reloadSignalReceived(_ signal: Int32) {
        logger.notice("reload requested", ["signal": ServiceGroup.signalName(signal)])
        requestReload()
    }

    /// Routes `stop` signals (default SIGTERM, SIGINT) and `reload` signals
    /// (default SIGHUP) to this group, and ignores SIGPIPE.
    public func watchSignals(stop: [Int32] = [SIGTERM, SIGINT], reload: [Int32] = [SIGHUP]) -> SignalWatcher {
        SignalWatcher.ignoreSIGPIPE()
        return SignalWatcher(signals: stop + reload) { [self] sig in
            if stop.contains(sig) { stopSignalReceived(sig) } else { reloadSignalReceived(sig) }
        }
    }

    /// The whole life of a daemon process: watches signals, runs the group,
    /// logs how it ended and exits 0 after a clean stop, 1 otherwise.
    public func runAsMain() async -> Never {
        let watcher = watchSignals()
        do {
            try await run()
            watcher.cancel()
            logger.notice("stopped")
            exit(0)
        } catch {
            logger.error("stopped with an error", ["error": "\(error)"])
            exit(1)
        }
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(s)"
        }
    }
}
