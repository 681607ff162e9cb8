import FoundationEssentials

extension ServiceGroup {
    /// Starts, runs and stops the services; returns after a graceful stop in
    /// which every service finished in time, throws `DaemonError` otherwise.
    /// Call once.
    public func run() async throws {
        let first = consumedOnce()
        precondition(first, "ServiceGroup.run() is called once per group")
        var state = RunState()
        var iterator = events.makeAsyncIterator()

        await startAll(&state, &iterator)
        if state.failure == nil && !state.stopping {
            do {
                try notifier.ready(status: "running \(services.count) services")
            } catch {
                logger.warning("could not tell systemd we are ready", ["error": "\(error)"])
            }
            logger.notice("ready", ["services": services.map(\.name).joined(separator: ",")])
            await waitForStop(&state, &iterator)
        }
        await stopAll(&state, &iterator)
        sink.finish()
        if let failure = state.failure { throw failure }
    }

    private func consumedOnce() -> Bool {
        consumed.withLock { c in defer { c = true }; return !c }
    }

    struct RunState {
        var runTasks: [Int: Task<Void, Never>] = [:]
        var live = Set<Int>()          // run() has not returned
        var started: [Int] = []        // start() returned, in order
        var pendingStart: Int? = nil   // start() interrupted by a stop or failure
        var failure: DaemonError? = nil
        var stopping = false
        var immediate = false
        var reloading: Task<Void, Never>? = nil
        var reloadAgain = false
    }

    private func startAll(_ state: inout RunState, _ it: inout AsyncStream<Event>.Iterator) async {
        for (i, service) in services.enumerated() {
            let startTask = Task { [sink] in
                do { try await service.start(); sink.yield(.started(i, nil)) }
                catch { sink.yield(.started(i, error)) }
            }
            var done = false
            while !done, let ev = await it.next() {
                switch ev {
                case .started(let j, let error) where j == i:
                    done = true
                    if let error {
                        state.failure = .startFailed(service: service.name, underlying: "\(error)")
                        logger.error("service failed to start", ["service": service.name, "error": "\(error)"])
                        return
                    }
                    state.started.append(i)
                    state.live.insert(i)
                    state.runTasks[i] = Task { [sink] in
                        do { try await service.run(); sink.yield(.exited(i, nil)) }
                        catch { sink.yield(.exited(i, error)) }
                    }
                    logger.info("service started", ["service": service.name])
                case .exited(let j, let error):
                    recordExit(j, error, &state)
                    startTask.cancel()
                    state.pendingStart = i
                    return
                case .stop(let immediate):
                    state.stopping = true
                    state.immediate = immediate
                    startTask.cancel()
                    state.pendingStart = i
                    return
                case .reload:
                    logger.notice("reload ignored while starting")
                default:
                    break
                }
            }
        }
    }

    private func waitForStop(_ state: inout RunState, _ it: inout AsyncStream<Event>.Iterator) async {
        while let ev = await it.next() {
            switch ev {
            case .exited(let j, let error):
                recordExit(j, error, &state)
                return
            case .stop(let immediate):
                state.stopping = true
                state.immediate = immediate
                return
            case .reload:
                startReload(&state)
            case .reloadDone:
                state.reloading = nil
                if state.reloadAgain {
                    state.reloadAgain = false
                    startReload(&state)
                }
            default:
                break
            }
        }
    }

    private func startReload(_ state: inout RunState) {
        guard let onReload else {
            logger.notice("reload requested but this daemon has nothing to reload")
            return
        }
        // A reload that arrives during another one runs after it, once.
        guard state.reloading == nil else { state.reloadAgain = true; return }
        state.reloading = Task { [sink, notifier, logger] in
            try? notifier.reloading()
            await onReload()
            try? notifier.ready()
            logger.notice("reloaded")
            sink.yield(.reloadDone)
        }
    }

    /// A run() that ends while no stop was asked is a failure of the daemon.
    private func recordExit(_ j: Int, _ error: (any Error)?, _ state: inout RunState) {
        state.live.remove(j)
        let name = services[j].name
        if let error {
            logger.error("service failed", ["service": name, "error": "\(error)"])
            if state.failure == nil { state.failure = .serviceFailed(service: name, underlying: "\(error)") }
        } else if !state.stopping {
            logger.error("service stopped unasked", ["service": name])
            if state.failure == nil { state.failure = .serviceExited(service: name) }
        } else {
            logger.info("service stopped", ["service": name])
        }
    }

    private func stopAll(_ state: inout RunState, _ it: inout AsyncStream<Event>.Iterator) async {
        state.stopping = true
        state.reloading?.cancel()
        let reason = state.failure.map { "\($0)" } ?? "requested"
        try? notifier.stopping(status: "stopping: \(reason)")
        logger.notice("stopping services", ["reason": reason, "deadline": drainDeadline.logText])

        let begun = ContinuousClock.now
        if let i = state.pendingStart {
            let s = services[i]
            Task { await s.stop() }
        }
        if !state.immediate {
            let deadline = Task { [sink, drainDeadline] in
                try? await Task.sleep(for: drainDeadline)
                if !Task.isCancelled { sink.yield(.deadline) }
            }
            defer { deadline.cancel() }
            outer: for i in state.started.reversed() where state.live.contains(i) {
                let s = services[i]
                Task { await s.stop() }
                while state.live.contains(i), let ev = await it.next() {
                    switch ev {
                    case .exited(let j, let error):
                        recordExit(j, error, &state)
                    case .stop(immediate: true):
                        state.immediate = true
                        break outer
                    case .deadline:
                        break outer
                    default:
                        break  // further graceful stop requests and reloads change nothing now
                    }
                }
            }
        }
        if !state.live.isEmpty {
            let pending = state.started.reversed().filter { state.live.contains($0) }
            let names = pending.map { services[$0].name }
            // Give the rest a chance to notice, but do not wait for them any longer.
            for i in pending {
                let s = services[i]
                Task { await s.stop() }
                state.runTasks[i]?.cancel()
            }
            logger.error(state.immediate ? "stopping at once; services not drained" : "drain deadline passed",
                         ["services": names.joined(separator: ","), "deadline": drainDeadline.logText])
            if state.failure == nil {
                state.failure = state.immediate
                    ? .forcedStop(pending: names)
                    : .drainDeadlineExceeded(services: names, deadline: drainDeadline)
            }
        }
        logger.info("services stopped", ["elapsed": (ContinuousClock.now - begun).logText])
    }
}
