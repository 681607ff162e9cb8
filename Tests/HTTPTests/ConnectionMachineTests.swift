import Testing
@testable import HTTP

/// A connection walked event by event, with time as plain numbers: timeouts of 10 (head),
/// 30 (body, write progress) and 60 (idle), accepted at 1000.
struct ConnectionMachineTests {
    typealias Machine = ConnectionMachine
    static let timeouts = Machine.Timeouts(header: 10, body: 30, idle: 60)
    static let get11 = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

    static func head(_ raw: String) throws -> HTTPRequestHead {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        var index = 0
        guard case .head(let head) = parser.next(Array(raw.utf8), &index) else {
            throw HTTPParseError(400, "not a head: \(raw)")
        }
        return head
    }

    /// A machine whose request `raw` (without a body) has been dispatched at `now`.
    static func inFlight(_ raw: String = get11, at now: UInt64 = 1_001) throws -> Machine {
        var m = Machine(acceptedAt: 1_000, timeouts: timeouts)
        #expect(m.inputReady(hasBufferedInput: true, now: now) == .parse)
        #expect(try m.headReceived(head(raw), early: false, now: now) == .readBody(sendContinue: false))
        #expect(m.bodyReceived(now: now) == .dispatch)
        #expect(m.state == .inFlight)
        return m
    }

    @Test func aKeepAliveRequestReturnsToIdleWithTheIdleDeadline() throws {
        var m = try Self.inFlight()
        #expect(m.responseReady(now: 1_005) == .write(keepAlive: true))
        #expect(m.state == .idle)
        #expect(m.deadline == 1_065)
        #expect(m.writeDrained() == .none)
        #expect(m.inputReady(hasBufferedInput: false, now: 1_006) == .wait)
    }

    @Test func anHTTP10RequestClosesOnceItsAnswerIsWritten() throws {
        var m = try Self.inFlight("GET /a HTTP/1.0\r\n\r\n")
        #expect(m.responseReady(now: 1_005) == .write(keepAlive: false))
        #expect(m.state == .closing)
        #expect(!m.wantsInput(buffered: 0))
        #expect(m.writeDrained() == .close(.answered))
        #expect(m.isClosed)
    }

    @Test func anHTTP10RequestAskingForKeepAliveStaysOpen() throws {
        var m = try Self.inFlight("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(m.responseReady(now: 1_005) == .write(keepAlive: true))
        #expect(m.state == .idle)
    }

    @Test func connectionCloseFromTheClientClosesAfterTheAnswer() throws {
        var m = try Self.inFlight("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(m.responseReady(now: 1_005) == .write(keepAlive: false))
        #expect(m.state == .closing)
    }

    @Test func anEarlyAnswerWaitsUntilTheEmptyBodyIsRead() throws {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        #expect(try m.headReceived(Self.head("DELETE /a HTTP/1.1\r\nHost: x\r\n\r\n"), early: true, now: 1_001) == .readBody(sendContinue: false))
        #expect(m.state == .readingBody(early: true))
        #expect(m.bodyReceived(now: 1_002) == .answer(keepAlive: true))
        #expect(m.state == .idle)
    }

    @Test func anEarlyAnswerWithABodyToComeGoesAtOnceAndCloses() throws {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        let post = try Self.head("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(m.headReceived(post, early: true, now: 1_001) == .answer(keepAlive: false))
        #expect(m.state == .closing)
        #expect(m.inputReady(hasBufferedInput: true, now: 1_002) == .wait)
    }

    @Test func continueIsSentOnlyWhenABodyFollows() throws {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        let post = try Self.head("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(m.headReceived(post, early: false, now: 1_001) == .readBody(sendContinue: true))
        var empty = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = empty.inputReady(hasBufferedInput: true, now: 1_001)
        let none = try Self.head("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n")
        #expect(empty.headReceived(none, early: false, now: 1_001) == .readBody(sendContinue: false))
    }

    @Test func anInvalidRequestIsAnsweredAndClosed() {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        #expect(m.parseFailed(now: 1_002) == .answer(keepAlive: false))
        #expect(m.state == .closing)
    }

    @Test func aPipelinedRequestWaitsUntilTheAnswerIsQueued() throws {
        var m = try Self.inFlight(at: 1_001)
        #expect(m.inputReady(hasBufferedInput: true, now: 1_002) == .wait)
        #expect(m.state == .inFlight)
        #expect(m.responseReady(now: 1_003) == .write(keepAlive: true))
        #expect(m.inputReady(hasBufferedInput: true, now: 1_004) == .parse)
        #expect(m.state == .readingHead)
        // A later head is due from its own first byte, not from the accept.
        #expect(m.deadline == 1_014)
        #expect(m.requestStartedAt == 1_004)
    }

    @Test func aBusyConnectionStopsReadingPastItsReadAhead() throws {
        let m = try Self.inFlight()
        #expect(m.isAnswering)
        #expect(m.wantsInput(buffered: Machine.maxReadAhead))
        #expect(!m.wantsInput(buffered: Machine.maxReadAhead + 1))
        let idle = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(idle.wantsInput(buffered: Machine.maxReadAhead + 1))
        #expect(!idle.isAnswering)
    }

    @Test func aLateAnswerAfterThePeerClosedIsIgnored() throws {
        var m = try Self.inFlight()
        #expect(m.peerClosed() == .close(.peerClosed))
        #expect(m.isClosed)
        #expect(m.responseReady(now: 1_005) == .ignore)
        #expect(m.streamStarted() == .ignore)
        #expect(m.timerFired(now: 9_999) == .none)
    }

    @Test func drainClosesAnIdleConnectionAtOnce() {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        #expect(m.drain() == .close(.draining))
        #expect(m.isClosed)
    }

    @Test func drainLetsTheRequestInFlightFinishThenCloses() throws {
        var m = try Self.inFlight()
        #expect(m.drain() == .none)
        #expect(m.state == .inFlight)
        #expect(m.responseReady(now: 1_005) == .write(keepAlive: false))
        #expect(m.writeDrained() == .close(.answered))
    }

    @Test func drainWaitsForAPendingWriteOfAnIdleConnection() throws {
        var m = try Self.inFlight()
        _ = m.responseReady(now: 1_005)
        m.writeBlocked(progressed: false, now: 1_005)
        #expect(m.drain() == .none)
        #expect(m.state == .idle)
    }

    @Test func aHeadReadWhileDrainingIsAnsweredWithClose() throws {
        var m = Machine(acceptedAt: 1_000, timeouts: Self.timeouts)
        _ = m.inputReady(hasBufferedInput: true, now: 1_001)
        #expect(m.drain() == .none)
        _ = try m.headReceived(Self.head(Self.get11), early: false, now: 1_002)
        #expect(!m.keepAlive)
        _ = m.bodyReceived(now: 1_002)
        #expect(m.responseReady(now: 1_003) == .write(keepAlive: false))
    }
}
