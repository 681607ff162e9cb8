import Store

extension GatewayContext {
    /// Reads the job types an operator paused (every gateway: when it reads a pause or resume in
    /// the events stream, after one it served itself, and every recovery round in case an event
    /// was missed); their executions stay queued. A resumed one wakes a dispatcher, since its
    /// queued work may go now.
    func refreshPausedJobs() {
        do {
            if directory.setPaused(Set(try store.pausedJobs().map(\.job))) { wakeup.signal() }
        } catch {
            logger.repeated(.warning, "cannot read the paused job types", ["error": "\(error)"])
        }
    }
}
