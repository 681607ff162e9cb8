/// A long-running part of a daemon (HTTP listener, dispatcher, heartbeat...).
///
/// The group calls `start()`, then `run()`; `stop()` asks `run()` to finish
/// its current work and return. `run()` throwing, or returning when no stop
/// was asked, stops the whole daemon.
public protocol Service: Sendable {
    /// Names the service in logs and errors.
    var name: String { get }
    /// Gets ready (binds, connects, loads); the next service starts only after
    /// this returns, so later services may rely on earlier ones. Default: nothing.
    func start() async throws
    /// Does the work until `stop()` is called, then returns.
    func run() async throws
    /// Asks `run()` to return soon, finishing in-flight work within the drain deadline.
    /// Must return promptly (the waiting happens in `run()`), may be called more
    /// than once, and may come before `run()` when a stop interrupts the start.
    func stop() async
}

extension Service {
    public func start() async throws {}
}
