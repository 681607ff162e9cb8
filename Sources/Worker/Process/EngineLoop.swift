import CSystem
import FoundationEssentials
import Platform

/// The engine thread's state and loop. Used only on that thread.
final class EngineLoop {
    private let engine: ProcessEngine
    private var children: [UInt64: ChildState] = [:]
    private var nextID: UInt64 = 1
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 128)

    private enum Kind: UInt64 { case stdout = 0, stderr = 1, stdin = 2, exit = 3 }

    init(engine: ProcessEngine) { self.engine = engine }

    func run() -> Never {
        while true {
            let n: Int32
            do {
                // The timeout is taken again when a signal interrupts the wait: a deadline may have come.
                n = try syscall("epoll_wait") { epoll_wait(engine.epollFD, events, 128, nextTimeoutMillis(now: monotonicNanos())) }
            } catch {
                ProcessSyscall.writeStderr("level=error msg=\"process engine: epoll_wait: \(error.reason)\"")
                continue
            }
            let now = monotonicNanos()
            for i in 0..<Int(n) {
                let token = batch_epoll_event_data(events + i)
                if token == 0 { drainWakeups(); continue }
                guard let child = children[token >> 2], let kind = Kind(rawValue: token & 3) else { continue }
                switch kind {
                case .stdout: readOutput(child, 0, now: now)
                case .stderr: readOutput(child, 1, now: now)
                case .stdin: pumpStdin(child)
                case .exit: leaderExited(child, now: now)
                }
            }
            for command in engine.takeCommands() { perform(command, now: now) }
            for child in Array(children.values) { advance(child, now: now) }
        }
    }

    // MARK: Commands

    private func perform(_ command: EngineCommand, now: UInt64) {
        switch command {
        case .spawn(let request, let reply):
            let result: SpawnResult
            do throws(SpawnError) { result = .success(try spawn(request)) } catch { result = .failure(error) }
            reply(result)
        case .terminate(let id, let cause, let grace):
            if let child = children[id] { perform(child.lifecycle.stop(cause, graceNanos: grace, now: now), child, now: now) }
        }
    }

    func spawn(_ request: SpawnRequest) throws(SpawnError) -> (id: UInt64, pid: pid_t) {
        let spawned = try Spawner.spawn(request.spec, wrapper: request.wrapper, fallbackPath: request.fallbackPath)
        let id = nextID
        nextID += 1
        let child = ChildState(id: id, spawned: spawned, request: request, now: monotonicNanos())
        let watches: [(Int32, Kind)] = [(spawned.stdout, .stdout), (spawned.stderr, .stderr), (spawned.pidfd, .exit)]
        for (fd, kind) in watches {
            if let e = ProcessSyscall.epollAdd(engine.epollFD, fd, events: EPOLLIN.rawValue, token: id << 2 | kind.rawValue) {
                ProcessSyscall.killGroup(spawned.pid, SIGKILL)
                _ = ProcessSyscall.reap(spawned.pid)
                for fd in [spawned.stdin, spawned.stdout, spawned.stderr, spawned.pidfd] {
                    ProcessSyscall.epollRemove(engine.epollFD, fd)
                    ProcessSyscall.close(fd)
                }
                throw SpawnError(program: request.spec.argv[0], operation: "epoll_ctl", code: e)
            }
        }
        children[id] = child
        if let reaper = child.reaper, let deadline = request.spec.leaseDeadline { reaper.watch(spawned.pid, deadline: deadline) }
        pumpStdin(child)
        return (id, spawned.pid)
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { ProcessSyscall.read(engine.wakeFD, into: $0) }
    }

    // MARK: Pipes

    private func readOutput(_ child: ChildState, _ index: Int, now: UInt64, maxReads: Int = 16) {
        // A bounded number of reads per wakeup keeps one chatty child from starving the others;
        // epoll is level-triggered, so the rest is read on the next round.
        for _ in 0..<maxReads {
            let fd = child.outputFD[index]
            guard fd >= 0 else { return }
            switch ProcessSyscall.read(fd, into: buffer) {
            case .success(nil):
                return
            case .success(let n?) where n > 0:
                child.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), stream: index, now: now)
            default:
                closeOutput(child, index, now: now)
                return
            }
        }
    }

    private func closeOutput(_ child: ChildState, _ index: Int, now: UInt64) {
        let fd = child.outputFD[index]
        guard fd >= 0 else { return }
        child.finishStream(index, now: now)
        ProcessSyscall.epollRemove(engine.epollFD, fd)
        ProcessSyscall.close(fd)
        child.outputFD[index] = -1
    }

    private func pumpStdin(_ child: ChildState) {
        guard child.stdinFD >= 0 else { return }
        while child.stdinOffset < child.stdinData.count {
            let offset = child.stdinOffset
            let result = child.stdinData.withUnsafeBytes { ProcessSyscall.write(child.stdinFD, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .success(let n?):
                child.stdinOffset += n
            case .success(nil):
                if !child.stdinWatched {
                    let token = child.id << 2 | Kind.stdin.rawValue
                    if ProcessSyscall.epollAdd(engine.epollFD, child.stdinFD, events: EPOLLOUT.rawValue, token: token) == nil {
                        child.stdinWatched = true
                        return
                    }
                    closeStdin(child)  // Cannot wait for room: the child gets what fitted.
                }
                return
            case .failure:
                // EPIPE: the child does not read its stdin, which is its right.
                closeStdin(child)
                return
            }
        }
        closeStdin(child)
    }

    private func closeStdin(_ child: ChildState) {
        guard child.stdinFD >= 0 else { return }
        if child.stdinWatched { ProcessSyscall.epollRemove(engine.epollFD, child.stdinFD) }
        ProcessSyscall.close(child.stdinFD)
        child.stdinFD = -1
        child.stdinData = []
    }

    // MARK: Ending

    private func leaderExited(_ child: ChildState, now: UInt64) {
        ProcessSyscall.epollRemove(engine.epollFD, child.pidfd)
        // The main process stays a zombie until `finish`, so its pid, which is
        // the group's id, cannot be reused while the group may still be signalled.
        child.lifecycle.mainProcessExited(now: now)
    }

    /// Timers, the end of a run, and delivery of what was read this round.
    private func advance(_ child: ChildState, now: UInt64) {
        perform(child.lifecycle.tick(now: now, outputClosed: child.outputClosed), child, now: now)
        if !child.lifecycle.finished { child.flush(now: now) }
    }

    private func perform(_ actions: [ChildLifecycle.Action], _ child: ChildState, now: UInt64) {
        for action in actions {
            switch action {
            case .signalGroup(let signal): ProcessSyscall.killGroup(child.pid, signal)
            case .finish: finish(child, now: now)
            }
        }
    }

    private func finish(_ child: ChildState, now: UInt64) {
        for index in 0..<2 where child.outputFD[index] >= 0 {
            readOutput(child, index, now: now, maxReads: 64)
            closeOutput(child, index, now: now)
        }
        closeStdin(child)
        // Whatever is left of the group (background processes, TERM-trapping
        // children) ends with the job.
        ProcessSyscall.killGroup(child.pid, SIGKILL)
        // Before the reap: once reaped, the pid (the group's id) may be reused.
        child.reaper?.forget(child.pid)
        let status = ProcessSyscall.reap(child.pid)
        ProcessSyscall.close(child.pidfd)
        child.flush(now: now, final: true)
        children[child.id] = nil
        let outcome = ProcessOutcome(
            status: status, cause: child.lifecycle.cause, startedAt: child.startedAt, endedAt: child.wallClock(),
            outputLines: child.outputLines, outputBytes: child.outputBytes,
            droppedLines: child.droppedLines, droppedBytes: child.droppedBytes)
        child.onExit(outcome)
        child.box.resolve(outcome)
    }

    private func nextTimeoutMillis(now: UInt64) -> Int32 {
        var next = UInt64.max
        for child in children.values {
            if let deadline = child.lifecycle.nextDeadline { next = min(next, deadline) }
        }
        if next == .max { return -1 }
        if next <= now { return 0 }
        return Int32(min((next - now + 999_999) / 1_000_000, 60_000))
    }
}
