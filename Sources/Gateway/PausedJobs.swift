import Store

extension GatewayContext {
    /// Reads the job types an operator paused (every gateway, every maintenance round, and at
    /// once after a pause or resume it served); their executions stay queued. A resumed one
    /// wakes a dispatcher, since its queued work may go now.
    func refreshPausedJobs() {
        do {
            let paused = Set(try store.pausedJobs().map(\.job))
            let resumed = directory.state.withLock { s in
                defer { s.paused = paused }
                return !s.paused.subtracting(paused).isEmpty
            }
            if resumed { wakeup.signal() }
        } catch {
            logger.repeated(.warning, "cannot read the paused job types", ["error": "\(error)"])
        }
    }
}
