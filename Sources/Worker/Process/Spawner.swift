import CSystem
import Glibc

/// The parent's ends of a freshly spawned child.
struct SpawnedChild {
    var pid: pid_t
    var pidfd: Int32
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
}

/// `posix_spawn` with the child in its own process group, an empty signal
/// mask, default signal dispositions, pipes on 0/1/2 and no other descriptor,
/// a working directory and only the given environment. Must run on one long-lived thread: the
/// `--pdeathsig` that `setpriv` sets fires when the *thread* that spawned the
/// child exits.
enum Spawner {
    /// - Parameter wrapper: argv to put in front of the program (`setpriv --pdeathsig KILL --`), or empty.
    static func spawn(_ spec: ProcessSpec, wrapper: [String], fallbackPath: String) throws(SpawnError) -> SpawnedChild {
        guard let name = spec.argv.first, !name.isEmpty else {
            throw SpawnError(program: "", operation: "empty argv", code: EINVAL)
        }
        let program = try resolve(name, path: spec.environment["PATH"] ?? fallbackPath, in: spec.workingDirectory)
        let argv = wrapper.isEmpty ? [program] + spec.argv.dropFirst() : wrapper + [program] + spec.argv.dropFirst()
        let env = spec.environment.map { "\($0.key)=\($0.value)" }

        var opened: [Int32] = []
        func fail(_ operation: String, _ code: Int32) -> SpawnError {
            opened.forEach(ProcessSyscall.close)
            return SpawnError(program: name, operation: operation, code: code)
        }
        var ends: [(read: Int32, write: Int32)] = []
        for _ in 0..<3 {
            switch ProcessSyscall.pipe() {
            case .success(let pair): ends.append(pair); opened += [pair.0, pair.1]
            case .failure(let e): throw fail("pipe2", e.errno)
            }
        }
        let (stdinPipe, stdoutPipe, stderrPipe) = (ends[0], ends[1], ends[2])
        for fd in [stdinPipe.write, stdoutPipe.read, stderrPipe.read] {
            if let e = ProcessSyscall.setNonBlocking(fd) { throw fail("fcntl", e) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        // Descriptors opened elsewhere in the worker without O_CLOEXEC (sockets of
        // C libraries, listeners) must not leak into jobs.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        if let dir = spec.workingDirectory {
            let r = posix_spawn_file_actions_addchdir_np(&actions, dir)
            if r != 0 { throw fail("posix_spawn_file_actions_addchdir_np", r) }
        }

        var pid: pid_t = 0
        let r = withChildAttributes { attr in
            withCStrings(argv) { cArgv in
                withCStrings(env) { cEnv in posix_spawn(&pid, argv[0], &actions, &attr, cArgv, cEnv) }
            }
        }
        if r != 0 {
            let where_ = spec.workingDirectory.map { " in \($0)" } ?? ""
            throw fail("posix_spawn \(argv[0])\(where_)", r)
        }
        for fd in [stdinPipe.read, stdoutPipe.write, stderrPipe.write] { ProcessSyscall.close(fd) }

        let pidfd = batch_pidfd_open(pid, 0)
        if pidfd < 0 {
            let e = batch_errno()
            ProcessSyscall.killGroup(pid, SIGKILL)
            _ = ProcessSyscall.reap(pid)
            [stdinPipe.write, stdoutPipe.read, stderrPipe.read].forEach(ProcessSyscall.close)
            throw SpawnError(program: name, operation: "pidfd_open", code: e)
        }
        return SpawnedChild(pid: pid, pidfd: pidfd, stdin: stdinPipe.write, stdout: stdoutPipe.read, stderr: stderrPipe.read)
    }

    /// A program name with a slash is used as it is; a bare name is looked up in
    /// `path`. Relative paths are checked against `directory`, where the child
    /// will run, since it changes there before it executes the program.
    static func resolve(_ name: String, path: String, in directory: String?) throws(SpawnError) -> String {
        func located(_ candidate: String) -> String {
            guard let directory, !candidate.hasPrefix("/") else { return candidate }
            return directory + "/" + candidate
        }
        if name.contains("/") {
            if access(located(name), X_OK) != 0 {
                throw SpawnError(program: name, operation: "access \(located(name))", code: batch_errno())
            }
            return name
        }
        var sawDenied = false
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            if access(located(candidate), X_OK) == 0 {
                var st = stat()
                if stat(located(candidate), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { return candidate }
            } else if batch_errno() == EACCES {
                sawDenied = true
            }
        }
        throw SpawnError(program: name, operation: "lookup in PATH=\(path)", code: sawDenied ? EACCES : ENOENT)
    }

    /// Calls `body` with the spawn attributes of every child the worker starts: a process
    /// group of its own, an empty signal mask and default dispositions (so SIGPIPE is not
    /// inherited as ignored).
    static func withChildAttributes<R>(_ body: (inout posix_spawnattr_t) -> R) -> R {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return body(&attr)
    }

    /// Calls `body` with a NULL-terminated array of C strings that lives for the call.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
