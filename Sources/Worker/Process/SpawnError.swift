import Glibc

/// A child could not be started. `reason` `spawn_error` in the execution record.
public struct SpawnError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program as the job named it (`argv[0]`).
    public var program: String
    /// The step that failed: `posix_spawn`, `pipe2`, `lookup`, ...
    public var operation: String
    /// The errno value.
    public var code: Int32

    public init(program: String, operation: String, code: Int32) {
        self.program = program; self.operation = operation; self.code = code
    }

    public var description: String {
        let text = String(cString: strerror(code))
        let hint: String
        switch code {
        case ENOENT: hint = "check the job's command, its working directory and that the program is installed"
        case EACCES: hint = "check the program's execute permission and the working directory's permissions"
        case EMFILE, ENFILE, EAGAIN, ENOMEM: hint = "the worker is out of file descriptors, processes or memory"
        default: hint = "check the job's command"
        }
        return "cannot start \"\(program)\": \(operation): \(text) (\(hint))"
    }
}
