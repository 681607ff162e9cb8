import CSystem
import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
import Platform
#endif

/// Delivers signals to handlers on a thread of their own instead of in a
/// signal handler, so handlers may take locks, log and start tasks.
///
/// The self-pipe trick: the installed C handler only writes the signal number
/// to a non-blocking pipe; one reader thread per process turns bytes into
/// handler calls. Unlike `sigwait` or dispatch signal sources (signalfd on
/// Linux), it does not depend on every thread blocking the signal, which a
/// library cannot promise. After `cancel()` the signal stays caught and is dropped.
public final class SignalWatcher: Sendable {
    private let id: UInt64
    private let signals: [Int32]

    /// Starts watching `signals`; `handler` runs once per delivered signal,
    /// on the watcher thread, so it must return quickly.
    public init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        self.id = SignalRelay.shared.add(signals: signals, handler: handler)
    }

    public func cancel() { SignalRelay.shared.remove(id: id) }

    /// A write to a closed socket or pipe then fails with EPIPE instead of killing the daemon.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}

/// The write end of the self-pipe, read by the C handler (an atomic load is async-signal-safe).
private let signalPipeWriteFD = Atomic<Int32>(-1)

private func relaySignal(_ sig: Int32) {
    let saved = batch_errno()
    let fd = signalPipeWriteFD.load(ordering: .relaxed)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: sig)
        _ = write(fd, &byte, 1)  // a full pipe drops the signal: the reader is far behind anyway
    }
    batch_set_errno(saved)
}

final class SignalRelay: Sendable {
    static let shared = SignalRelay()

    private struct Entry { let id: UInt64; let signals: Set<Int32>; let handler: @Sendable (Int32) -> Void }
    private struct State {
        var entries: [Entry] = []
        var nextID: UInt64 = 0
        var installed = Set<Int32>()
    }
    private let state = Mutex(State())
    private let readFD: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        let rc = pipe2(&fds, O_CLOEXEC)
        precondition(rc == 0, "pipe2 for the signal relay failed: errno \(batch_errno())")
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        readFD = fds[0]
        signalPipeWriteFD.store(fds[1], ordering: .relaxed)
        startThread(name: "batch-signals") { [readFD] in SignalRelay.readLoop(fd: readFD) }
    }

    func add(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> UInt64 {
        let (id, toInstall) = state.withLock { s -> (UInt64, [Int32]) in
            s.nextID += 1
            s.entries.append(Entry(id: s.nextID, signals: Set(signals), handler: handler))
            let fresh = signals.filter { !s.installed.contains($0) }
            s.installed.formUnion(fresh)
            return (s.nextID, fresh)
        }
        for sig in toInstall {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { relaySignal($0) }
            sa.sa_flags = SA_RESTART
            sigemptyset(&sa.sa_mask)
            sigaction(sig, &sa, nil)
        }
        return id
    }

    func remove(id: UInt64) {
        state.withLock { $0.entries.removeAll { $0.id == id } }
    }

    private func dispatch(_ sig: Int32) {
        let handlers = state.withLock { s in s.entries.filter { $0.signals.contains(sig) }.map(\.handler) }
        for h in handlers { h(sig) }
    }

    private static func readLoop(fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = (try? syscall("read") { buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }) ?? -1
            if n <= 0 { return }
            for i in 0..<n { SignalRelay.shared.dispatch(Int32(buf[i])) }
        }
    }
}
