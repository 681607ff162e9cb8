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
    ///
    /// With `withoutArguments`, it gets no command-line arguments at all: the config file through
    /// `BATCH_CONFIG`, Redis through `BATCH_REDIS_URL` and `BATCH_NAMESPACE`, and its listen address
    /// and id in its own section of the file. For a program run under an `LD_PRELOAD`ed library that
    /// hides `argv` from Swift (libfaketime does).
    public init(_ program: String, config: String, redisURL: String, namespace: String, id: String? = nil,
                extraArguments: [String] = [], environment: [String: String] = [:], withoutArguments: Bool = false,
                setUp: ((String) throws -> Void)? = nil) throws {
        directory = try makeTemporaryDirectory("batch-\(program)")
        let path = directory + "/batch.conf"
        port = freeTCPPort()
        url = "http://127.0.0.1:\(port)"
        var text = config.replacingOccurrences(of: "@DIR@", with: directory)
        var args = ["--config", path, "--redis", redisURL, "--namespace", namespace, "--listen", "127.0.0.1:\(port)"]
        if let id { args += ["--id", id] }
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        if withoutArguments {
            guard extraArguments.isEmpty else { throw TestSupportError("\(program): extra arguments cannot be passed without arguments") }
            let role = program.hasPrefix("batch-") ? String(program.dropFirst("batch-".count)) : program
            text += "\n[\(role)]\nlisten = 127.0.0.1:\(port)\n" + (id.map { "id = \($0)\n" } ?? "")
            args = []
            env["BATCH_CONFIG"] = path
            env["BATCH_REDIS_URL"] = redisURL
            env["BATCH_NAMESPACE"] = namespace
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try setUp?(directory)
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
