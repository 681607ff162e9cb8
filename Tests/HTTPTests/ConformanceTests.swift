import Foundation
import Testing
@testable import HTTP
import TestSupport

/// Raw bytes against a running server: status, connection fate, and agreement with h11.
@Suite(.blocking) struct ConformanceTests {
    @Test(arguments: conformanceCases)
    func serverAnswersEachCaseWithTheRightStatusAndConnectionFate(_ testCase: ConformanceCase) throws {
        let server = try TestServer()
        let connection = try RawConnection(port: server.port)
        connection.send(testCase.bytes)
        let response = try #require(try connection.readResponse(), "server closed without answering \(testCase.name)")
        #expect(response.status == testCase.status, "\(testCase.name)")
        if response.status >= 400 {
            #expect(response.headers["Content-Type"] == "application/problem+json")
        }
        let closed = try connection.isClosedByServer()
        #expect(closed == !testCase.staysOpen, "\(testCase.name): connection \(closed ? "closed" : "open")")
    }

    @Test func parserAgreesWithTheReferenceParserH11() throws {
        let compared = conformanceCases.filter { if case .limit = $0.reference { return false } else { return true } }
        let h11 = try H11.accepts(compared.map(\.bytes))
        let server = try TestServer()
        for (testCase, h11Accepts) in zip(compared, h11) {
            let connection = try RawConnection(port: server.port)
            connection.send(testCase.bytes)
            let weAccept = try connection.readResponse()?.status == 200
            switch testCase.reference {
            case .agree:
                #expect(weAccept == h11Accepts, "\(testCase.name): we \(weAccept ? "accept" : "reject"), h11 \(h11Accepts ? "accepts" : "rejects")")
            case .stricter(let reason):
                #expect(!weAccept && h11Accepts, "\(testCase.name) is meant to be stricter than h11 (\(reason))")
            case .limit:
                break
            }
        }
    }

    @Test(arguments: conformanceCases)
    func parserAloneGivesTheSameVerdictWhetherBytesArriveAtOnceOrOneByOne(_ testCase: ConformanceCase) {
        let whole = ParserDriver.run(testCase.bytes, step: testCase.bytes.count)
        let byByte = ParserDriver.run(testCase.bytes, step: 1)
        #expect(whole == byByte)
        if testCase.status == 200 {
            #expect(whole.error == nil)
            #expect(whole.requests == 1)
        } else {
            #expect(whole.error?.status == testCase.status || testCase.status == 505 && whole.error?.status == 505)
        }
    }
}

/// Feeds the pure parser `step` bytes at a time, as a socket would.
enum ParserDriver {
    struct Outcome: Equatable {
        var requests = 0
        var bodies: [[UInt8]] = []
        var error: HTTPParseError?
    }

    static func run(_ bytes: [UInt8], step: Int) -> Outcome {
        var parser = HTTPRequestParser()
        var buffer: [UInt8] = []
        var index = 0
        var outcome = Outcome()
        var fed = 0
        while fed < bytes.count || index < buffer.count {
            if fed < bytes.count {
                buffer += bytes[fed..<min(bytes.count, fed + step)]
                fed = min(bytes.count, fed + step)
            }
            loop: while true {
                switch parser.next(buffer, &index) {
                case .needMore: break loop
                case .head: outcome.requests += 1
                case .body(let body): outcome.bodies.append(body)
                case .error(let error):
                    outcome.error = error
                    return outcome
                }
            }
            if fed >= bytes.count { break }
        }
        return outcome
    }
}

/// Runs Debian's python3-h11 over raw requests.
enum H11 {
    static let script = """
    import h11, json, sys
    out = []
    for hexed in json.load(open(sys.argv[1])):
        c = h11.Connection(h11.SERVER, max_incomplete_event_size=10**7)
        c.receive_data(bytes.fromhex(hexed))
        ok = False
        try:
            while True:
                e = c.next_event()
                if e is h11.NEED_DATA or e is h11.PAUSED: break
                if isinstance(e, h11.EndOfMessage):
                    ok = True
                    break
        except h11.RemoteProtocolError:
            ok = False
        out.append(ok)
    print(json.dumps(out))
    """

    static func accepts(_ requests: [[UInt8]]) throws -> [Bool] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("h11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("cases.json")
        let hexed = requests.map { $0.map { String(format: "%02x", $0) }.joined() }
        try JSONEncoder().encode(hexed).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, input.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestError("python3 with h11 failed (status \(process.terminationStatus)); install it with apt-get install python3-h11")
        }
        return try JSONDecoder().decode([Bool].self, from: data)
    }
}
