import Foundation
import Testing
@testable import HTTP

@Suite struct RouterTests {
    static func router() -> Router {
        let router = Router()
        router.add("GET", "/api/batch/executions/{id}") { _ in .text("get") }
        router.add("POST", "/api/batch/executions/{id}/cancel") { _ in .text("cancel") }
        router.add("POST", "/api/batch/{jobType}") { _ in .text("submit") }
        router.add("GET", "/health") { _ in .text("ok") }
        return router
    }

    @Test(arguments: [
        ("GET", "/api/batch/executions/e-1", "found", ["id": "e-1"]),
        ("POST", "/api/batch/executions/e-1/cancel", "found", ["id": "e-1"]),
        ("POST", "/api/batch/report", "found", ["jobType": "report"]),
        ("HEAD", "/health", "found", [:]),
        ("DELETE", "/health", "405 GET", [:]),
        ("GET", "/api/batch/report", "405 POST", [:]),
        ("GET", "/api/batch/executions/", "404", [:]),
        ("GET", "/api/batch/executions/e-1/", "404", [:]),
        ("GET", "/healthz", "404", [:]),
        ("GET", "/", "404", [:]),
    ] as [(String, String, String, [String: String])])
    func matchesPatternsWithParameters(_ method: String, _ path: String, _ expected: String, _ parameters: [String: String]) {
        switch Self.router().match(method: method, path: path) {
        case .found(_, let bound, _):
            #expect(expected == "found")
            #expect(bound == parameters)
        case .methodNotAllowed(let allowed):
            #expect(expected == "405 " + allowed.joined(separator: ","))
        case .notFound:
            #expect(expected == "404")
        }
    }
}

@Suite struct MessageTests {
    @Test func headerLookupIgnoresCaseAndKeepsOrder() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Many": "1"]
        headers.add("x-many", "2")
        #expect(headers["content-type"] == "a")
        #expect(headers.values("X-MANY") == ["1", "2"])
        headers.set("X-Many", "3")
        #expect(headers.values("x-many") == ["3"])
        headers["content-type"] = nil
        #expect(headers.count == 1)
        #expect(!HTTPHeaders.equalsIgnoringCase("a-b", "a\u{0D}b"))
        #expect(!HTTPHeaders.equalsIgnoringCase("[", "{"))
    }

    @Test func problemDocumentFollowsRFC9457() throws {
        let response = HTTPResponse.problem(status: 409, title: "Conflict", detail: "attempt 2 already runs",
                                            type: "https://batch/errors/duplicate", extra: ["executionId": "e-1"])
        #expect(response.status == 409)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["status"] as? Int == 409)
        #expect(object?["title"] as? String == "Conflict")
        #expect(object?["detail"] as? String == "attempt 2 already runs")
        #expect(object?["type"] as? String == "https://batch/errors/duplicate")
        #expect(object?["executionId"] as? String == "e-1")
    }

    @Test func jsonResponseSortsKeys() {
        let response = HTTPResponse.json(["b": 1, "a": 2, "c/d": 3])
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":2,"b":1,"c/d":3}"#)
    }

    @Test(arguments: [("/a%20b", "/a b"), ("/%e2%82%ac", "/€"), ("/a+b", "/a+b"), ("/%zz", "/%zz"), ("/%", "/%")])
    func pathIsPercentDecoded(_ target: String, _ path: String) {
        #expect(HTTPRequest(method: "GET", target: target).path == path)
    }

    @Test func queryIsSplitAndDecoded() {
        let request = HTTPRequest(method: "GET", target: "/x?state=running&limit=10&q=a+b%21&flag&=skip")
        #expect(request.query == ["state": "running", "limit": "10", "q": "a b!", "flag": ""])
    }

    @Test func decodeJSONExplainsWhatIsWrong() {
        struct Body: Decodable { var jobType: String; var priority: Int }
        let request = HTTPRequest(method: "POST", target: "/", headers: ["Content-Type": "application/json"],
                                  body: Array(#"{"jobType":"report","priority":"high"}"#.utf8))
        #expect {
            _ = try request.decodeJSON(Body.self)
        } throws: { error in
            guard let error = error as? HTTPError else { return false }
            return error.status == 400 && error.detail.contains("priority")
        }
        let wrongType = HTTPRequest(method: "POST", target: "/", headers: ["Content-Type": "text/plain"], body: Array("{}".utf8))
        #expect { _ = try wrongType.decodeJSON(Body.self) } throws: { ($0 as? HTTPError)?.status == 415 }
    }

    @Test func accessLogLineNamesPeerRequestStatusSizeAndTime() {
        let entry = AccessLogEntry(method: "GET", target: "/health", route: "/health", status: 200, bytes: 12,
                                   duration: .microseconds(1500), remoteAddress: "127.0.0.1:5000")
        #expect(entry.line == #"127.0.0.1:5000 "GET /health" 200 12B 1.500ms"#)
    }
}
