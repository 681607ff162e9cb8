import Testing
@testable import HTTP

/// Timeouts per phase, write progress, eviction and streamed responses.
extension ConnectionMachineTests {
    @Test func aSilentConnectionClosesAtTheHeaderTimeoutFromTheAccept() {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(m.timerFired(now: 1_010) == .none)
        #expect(m.timerFired(now: 1_011) == .close(.idleTimeout))
        #expect(m.isClosed)
    }

    @Test func theFirstHeadIsDueFromTheAcceptAndASlowOneGets408() {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(m.inputReady(hasBufferedInput: true, now: 1_008) == .parse)
        #expect(m.deadline == 1_010)
        #expect(m.timerFired(now: 1_011) == .answerTimeout(.head))
        #expect(!m.keepAlive)
        #expect(m.state == .closing)
        #expect(m.timerFired(now: 1_500) == .none)
    }

    @Test func aSlowBodyGets408AtTheBodyTimeout() throws {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        _ = try m.headReceived(Self.head("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n"), early: false, now: 1_002)
        #expect(m.timerFired(now: 1_032) == .none)
        #expect(m.timerFired(now: 1_033) == .answerTimeout(.body))
        #expect(m.state == .closing)
    }

    @Test func anIdleKeepAliveConnectionClosesAtTheIdleTimeout() throws {
        var m = try Self.inFlight()
        _ = m.responseReady(now: 1_005)
        #expect(m.timerFired(now: 1_065) == .none)
        #expect(m.timerFired(now: 1_066) == .close(.idleTimeout))
    }

    @Test func aHandlerMayTakeAsLongAsItNeeds() throws {
        var m = try Self.inFlight()
        #expect(m.timerFired(now: 1_000_000) == .none)
        #expect(m.state == .inFlight)
    }

    /// Blocked at 1005 and again at 1030, with or without progress then.
    @Test(arguments: [(false, UInt64(1_036)), (true, UInt64(1_061))])
    func aWriteClosesOnceItMadeNoProgressForTheBodyTimeout(progressedAt1030: Bool, closesAt: UInt64) throws {
        var m = try Self.inFlight()
        _ = m.responseReady(now: 1_005)
        m.writeBlocked(progressed: false, now: 1_005)
        m.writeBlocked(progressed: progressedAt1030, now: 1_030)
        #expect(m.timerFired(now: closesAt - 1) == .none)
        #expect(m.timerFired(now: closesAt) == .close(.writeStalled))
    }

    @Test func anIdleConnectionWithAPendingWriteOutlivesItsIdleDeadline() throws {
        var m = try Self.inFlight()
        _ = m.responseReady(now: 1_005)
        m.writeBlocked(progressed: true, now: 1_060)
        #expect(m.timerFired(now: 1_080) == .none)
        #expect(m.writeDrained() == .none)
        #expect(m.timerFired(now: 1_081) == .close(.idleTimeout))
    }

    @Test func onlyAnIdleConnectionWithNothingPendingIsEvictable() throws {
        var idle = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(idle.isEvictable(hasBufferedInput: false))
        #expect(!idle.isEvictable(hasBufferedInput: true))
        var reading = idle
        _ = reading.inputReady(hasBufferedInput: true, now: 1_001)
        #expect(!reading.isEvictable(hasBufferedInput: false))
        #expect(reading.evict(hasUnreadInput: false) == .none)
        let busy = try Self.inFlight()
        #expect(!busy.isEvictable(hasBufferedInput: false))
        var writing = try Self.inFlight()
        _ = writing.responseReady(now: 1_005)
        writing.writeBlocked(progressed: false, now: 1_005)
        #expect(!writing.isEvictable(hasBufferedInput: false))
        #expect(idle.evict(hasUnreadInput: false) == .close(.evicted))
    }

    @Test func aConnectionWithBytesWaitingInTheKernelIsNotEvicted() {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(m.evict(hasUnreadInput: true) == .none)
        #expect(m.state == .idle)
    }

    @Test func aSilentConnectionIsEvictedBeforeOneThatServedRequests() throws {
        let silent = Machine(acceptedAt: 2_000, timeouts: Self.timeouts)
        var served = try Self.inFlight()
        _ = served.responseReady(now: 1_005)
        #expect(served.deadline < silent.deadline)
        #expect(silent.evictsBefore(served))
        #expect(!served.evictsBefore(silent))
    }

    @Test func theConnectionIdleTheLongestIsEvictedFirst() throws {
        var older = try Self.inFlight()
        _ = older.responseReady(now: 1_005)
        var newer = try Self.inFlight()
        _ = newer.responseReady(now: 1_009)
        #expect(older.evictsBefore(newer))
        #expect(!newer.evictsBefore(older))
    }

    @Test func anHTTP11StreamIsChunkedAndKeepsTheConnection() throws {
        var m = try Self.inFlight()
        #expect(m.streamStarted() == .write(chunked: true, keepAlive: true))
        #expect(m.state == .streaming(chunked: true))
        #expect(m.responseReady(now: 1_006) == .ignore)
        #expect(m.chunkReady(backlog: 0) == .write(chunked: true, keepAlive: true))
        #expect(m.streamFinished(backlog: 0, now: 1_007) == .write(chunked: true, keepAlive: true))
        #expect(m.state == .idle)
        #expect(m.chunkReady(backlog: 0) == .ignore)
    }

    @Test func anHTTP10StreamEndsWithTheClose() throws {
        var m = try Self.inFlight("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(m.streamStarted() == .write(chunked: false, keepAlive: false))
        #expect(m.streamFinished(backlog: 0, now: 1_007) == .write(chunked: false, keepAlive: false))
        #expect(m.state == .closing)
    }

    @Test func aDrainDuringAStreamClosesAfterItsEnd() throws {
        var m = try Self.inFlight()
        _ = m.streamStarted()
        #expect(m.drain() == .none)
        #expect(m.streamFinished(backlog: 0, now: 1_007) == .write(chunked: true, keepAlive: false))
        #expect(m.writeDrained() == .close(.answered))
    }

    @Test func aStreamThatOutrunsItsReaderIsDropped() throws {
        var m = try Self.inFlight()
        _ = m.streamStarted()
        #expect(m.chunkReady(backlog: Machine.maxStreamBacklog) == .write(chunked: true, keepAlive: true))
        #expect(m.chunkReady(backlog: Machine.maxStreamBacklog + 1) == .close(.slowReader))
        #expect(m.isClosed)
        var finishing = try Self.inFlight()
        _ = finishing.streamStarted()
        #expect(finishing.streamFinished(backlog: Machine.maxStreamBacklog + 1, now: 1_007) == .close(.slowReader))
    }
}
