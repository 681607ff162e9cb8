import BatchCore
import Daemon
import Dispatch
import FoundationEssentials
import Store

/// Registers the daemon in Redis and keeps it alive: every second its
/// `daemon:<id>` hash (role, host, pid, version, address, start time, the
/// metrics snapshot and the daemon's own fields) and its heartbeat in
/// `daemons`. A clean stop removes both.
public final class RegistrationService: Service {
    public let name = "registration"
    let context: DaemonContext
    let extraFields: @Sendable () -> [String: String]
    let interval: Duration
    let stopSignal = StopSignal()
    let queue = DispatchQueue(label: "batch.registration")

    public init(context: DaemonContext, interval: Duration = .seconds(1), extraFields: @escaping @Sendable () -> [String: String] = { [:] }) {
        self.context = context
        self.extraFields = extraFields
        self.interval = interval
    }

    func fields() -> [String: String] {
        var f = extraFields()
        f[DaemonField.role.rawValue] = context.role
        f[DaemonField.host.rawValue] = ProcessStats.hostname
        f[DaemonField.pid.rawValue] = String(ProcessStats.pid)
        f[DaemonField.version.rawValue] = batchVersion
        f[DaemonField.address.rawValue] = context.advertisedURL
        f[DaemonField.started.rawValue] = String(context.startedAt)
        let snapshot = context.metrics.snapshot()
        if let d = try? JSONEncoder().encode(snapshot) { f[DaemonField.metrics.rawValue] = String(decoding: d, as: UTF8.self) }
        return f
    }

    /// One heartbeat, on the registration queue (never on the cooperative pool).
    func beat() async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            queue.async {
                do {
                    try self.context.fleet.heartbeat(id: self.context.id, fields: self.fields())
                    c.resume(returning: true)
                } catch {
                    self.context.logger.repeated(.warning, "heartbeat failed", ["error": "\(error)"])
                    c.resume(returning: false)
                }
            }
        }
    }

    public func start() async throws {
        _ = await beat()
    }

    public func run() async throws {
        while !(await stopSignal.sleep(for: interval)) {
            _ = await beat()
        }
    }

    public func stop() async {
        stopSignal.stop()
        let ctx = context
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async {
                do { try ctx.fleet.deregister(id: ctx.id) } catch {
                    ctx.logger.warning("could not remove the registration", ["error": "\(error)"])
                }
                c.resume()
            }
        }
    }
}
