/// Streams, writes, timers, drain and eviction: the events that do not come from the parser.
extension ConnectionMachine {
    /// A streaming handler sends its head: chunked for HTTP/1.1; an HTTP/1.0 peer learns the
    /// end from the close.
    mutating func streamStarted() -> StreamAction {
        guard state == .inFlight else { return .ignore }
        let chunked = versionMinor >= 1
        if !chunked || draining { keepAlive = false }
        state = .streaming(chunked: chunked)
        return .write(chunked: chunked, keepAlive: keepAlive)
    }

    /// A chunk is ready while `backlog` bytes of the response still wait to be written.
    mutating func chunkReady(backlog: Int) -> StreamAction {
        guard case .streaming(let chunked) = state else { return .ignore }
        guard backlog <= Self.maxStreamBacklog else { return .close(close(.slowReader)) }
        return .write(chunked: chunked, keepAlive: keepAlive)
    }

    /// The streaming handler finished while `backlog` bytes still wait to be written.
    mutating func streamFinished(backlog: Int, now: UInt64) -> StreamAction {
        guard case .streaming(let chunked) = state else { return .ignore }
        guard backlog <= Self.maxStreamBacklog else { return .close(close(.slowReader)) }
        return .write(chunked: chunked, keepAlive: finishRequest(now: now))
    }

    /// The socket took part of the pending bytes or none (`progressed` when it took some).
    mutating func writeBlocked(progressed: Bool, now: UInt64) {
        if progressed || writeWaitingSince == nil { writeWaitingSince = now }
    }

    /// Every pending byte is written: after the last response, the connection closes.
    mutating func writeDrained() -> Action {
        writeWaitingSince = nil
        guard state == .closing else { return .none }
        return .close(close(.answered))
    }

    /// The periodic sweep: a write with no progress for the body timeout, then the current
    /// phase's deadline. A request too slow gets a 408; an idle connection just closes.
    mutating func timerFired(now: UInt64) -> Action {
        if let since = writeWaitingSince, now &- since > timeouts.body { return .close(close(.writeStalled)) }
        guard now > deadline else { return .none }
        switch state {
        case .idle:
            // Idle too long, or (before its first request) silent past the header timeout.
            guard !hasPendingWrite else { return .none }
            return .close(close(.idleTimeout))
        case .readingHead, .readingBody:
            let part: RequestPart = state == .readingHead ? .head : .body
            keepAlive = false
            _ = finishRequest(now: now)
            return .answerTimeout(part)
        case .inFlight, .streaming, .closing, .closed:
            return .none
        }
    }

    /// The server stops: an idle connection closes now, a busy one after its answer.
    mutating func drain() -> Action {
        draining = true
        guard state == .idle && !hasPendingWrite else { return .none }
        return .close(close(.draining))
    }

    /// Between requests with nothing buffered either way: closing it loses no request.
    func isEvictable(hasBufferedInput: Bool) -> Bool {
        state == .idle && !hasPendingWrite && !hasBufferedInput
    }

    /// Of two evictable connections, whether this one goes first: one that never sent a
    /// request before one that did, then the one idle the longest.
    func evictsBefore(_ other: ConnectionMachine) -> Bool {
        let silent = requests == 0, otherSilent = other.requests == 0
        return silent != otherSilent ? silent : deadline < other.deadline
    }

    /// Chosen to make room at the connection limit. `hasUnreadInput` when the peer's next
    /// bytes wait unread (in the kernel too): it is not idle then, and keeps its connection.
    mutating func evict(hasUnreadInput: Bool) -> Action {
        guard isEvictable(hasBufferedInput: hasUnreadInput) else { return .none }
        return .close(close(.evicted))
    }

    /// The peer closed or the socket failed: nothing more is read or written.
    mutating func peerClosed() -> Action {
        .close(close(.peerClosed))
    }

    /// The socket is closed (by any of the actions above, or by the loop); returns `reason`.
    @discardableResult
    mutating func close(_ reason: CloseReason) -> CloseReason {
        state = .closed
        writeWaitingSince = nil
        return reason
    }
}
