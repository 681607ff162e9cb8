import Foundation
import Synchronization
@testable import HTTP

/// A server on an ephemeral loopback port with the routes the tests use.
final class TestServer: Sendable {
    let server: HTTPServer
    let router = Router()
    let log = Locked<[AccessLogEntry]>([])
    let pending = Locked<[HTTPResponder]>([])
    var port: Int { server.boundPort }
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.eventLoops = 2
        configuration.handlerThreads = 4
        let log = self.log
        configuration.accessLog = { entry in log.withLock { $0.append(entry) } }
        configure(&configuration)
        server = HTTPServer(configuration: configuration, router: router)
        router.add("GET", "/echo") { _ in .text("ok") }
        router.add("POST", "/echo") { request in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.add("GET", "/items/{id}") { request in
            .json(["id": request.pathParameters["id"] ?? "", "q": request.query["q"] ?? ""])
        }
        router.add("POST", "/items/{id}/rename") { request in
            struct Rename: Codable { var name: String }
            let body = try request.decodeJSON(Rename.self)
            return .json(["id": request.pathParameters["id"] ?? "", "name": body.name], status: 201)
        }
        router.add("GET", "/fail") { _ in throw TestError("disk on fire") }
        router.add("GET", "/slow") { request in
            usleep(UInt32(request.query["ms"].flatMap(Int.init) ?? 200) * 1000)
            return .text("slow")
        }
        let pending = self.pending
        router.addDeferred("GET", "/poll") { _, responder in
            pending.withLock { $0.append(responder) }
        }
        router.addStreaming("GET", "/stream") { request, writer in
            let n = request.query["n"].flatMap(Int.init) ?? 3
            writer.start(status: 200, headers: ["Content-Type": "text/plain"])
            for i in 0..<n { writer.write(Array("line \(i)\n".utf8)) }
            writer.finish()
        }
        try server.start()
    }

    func releasePolls(_ response: HTTPResponse = .text("done")) -> Int {
        let all = pending.withLock { p -> [HTTPResponder] in defer { p.removeAll() }; return p }
        for responder in all { responder.respond(response) }
        return all.count
    }

    deinit { server.shutdown(deadline: .seconds(2)) }
}

/// A `Mutex` in a class, so closures can share it.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
