import Foundation
@testable import HTTP
import Testing

@Suite struct ClientResponseTests {
    /// The head's "\r\n" line ends must split into header lines, or the client misses
    /// Content-Length and waits for the kept-alive connection to close.
    @Test func keptAliveResponseEndsAtContentLengthWithItsHeaders() throws {
        let server = try TestServer()
        let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(5))
        let start = ContinuousClock.now
        let r = try client.post(server.url + "/items/7/rename", json: ["name": "x"])
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(r.status == 201)
        #expect(r.headers["Content-Type"]?.hasPrefix("application/json") == true)
        #expect(r.headers["Content-Length"] == String(r.body.count))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(r.body)) == ["id": "7", "name": "x"])
        #expect(client.idleConnectionCount("127.0.0.1:\(server.port)") == 1)
    }
}

@Suite struct ClientKeepAliveTests {
    /// The second response on a pooled connection is read after the buffer was emptied;
    /// the search for the end of its head must start at the buffer's new start.
    @Test func secondRequestOnAPooledConnectionGetsItsResponse() throws {
        let server = try TestServer()
        let client = HTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(5))
        for i in 0..<3 {
            let start = ContinuousClock.now
            let r = try client.post(server.url + "/items/\(i)/rename", json: ["name": "n\(i)"])
            #expect(r.status == 201)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(r.body)) == ["id": "\(i)", "name": "n\(i)"])
            #expect(ContinuousClock.now - start < .seconds(4))
        }
        #expect(client.idleConnectionCount("127.0.0.1:\(server.port)") == 1)
        #expect(server.log.withLock { $0.count } == 3)
    }
}
