import Foundation
import Glibc

/// Paths of the package's own built programs (`batch-gateway`, `batchctl`, ...),
/// next to the test bundle in `.build/<config>/`.
public enum BuiltProducts {
    /// The folder the test bundle runs from.
    public static var directory: String {
        if let d = ProcessInfo.processInfo.environment["BATCH_BUILD_DIR"], !d.isEmpty { return d }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The XCTest bundle on Linux is `.build/debug/<pkg>PackageTests.xctest`, a file;
        // on some layouts it is a folder with the binary inside.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.path
    }

    /// The path of a built program; throws a clear error when it is not built.
    public static func path(_ name: String) throws -> String {
        let p = directory + "/" + name
        guard access(p, X_OK) == 0 else {
            throw TestSupportError("\(p) is not built; run 'swift build --build-tests' first (the test command builds everything)")
        }
        return p
    }
}

/// A daemon of this package started for a test: its config file, its HTTP
/// address, and a wait for `/health`. Stopped (SIGTERM, then SIGKILL) by `stop()`.
public final class DaemonProcess: Sendable {
    public let process: ChildProcess
    public let url: String
    public let port: Int
    public let directory: String

    /// Starts `program` with a config file holding `config` (`@DIR@` stands for its folder),
    /// listening on a free port; `setUp` may add files to the folder first.
    public init(_ program: String, config: String, redisURL: String, namespace: String, id: String? = nil,
                extraArguments: [String] = [], environment: [String: String] = [:],
                setUp: ((String) throws -> Void)? = nil) throws {
        directory = try makeTemporaryDirectory("batch-\(program)")
        let path = directory + "/batch.conf"
        try config.replacingOccurrences(of: "@DIR@", with: directory).write(toFile: path, atomically: true, encoding: .utf8)
        try setUp?(directory)
        port = freeTCPPort()
        url = "http://127.0.0.1:\(port)"
        var args = ["--config", path, "--redis", redisURL, "--namespace", namespace, "--listen", "127.0.0.1:\(port)"]
        if let id { args += ["--id", id] }
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        for (k, v) in environment { env[k] = v }
        process = try ChildProcess(executable: try BuiltProducts.path(program), arguments: args + extraArguments, environment: env)
    }

    /// Waits until the daemon says it is ready (its `ready` log line), or fails with its log.
    public func waitReady(timeout: Duration = .seconds(20)) throws {
        let ok = waitUntil(timeout: timeout) { process.standardError.contains("notice") && process.standardError.contains(" ready ") || !process.isRunning }
        guard ok, process.isRunning else {
            throw TestSupportError("\(process.executable) did not become ready within \(timeout):\n\(process.standardError)")
        }
    }

    public var log: String { process.standardError }

    /// SIGTERM and wait; SIGKILL if it does not stop in time.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) -> ChildProcess.Termination? {
        let t = process.terminate(grace: grace)
        removeTree(directory)
        return t
    }
}
