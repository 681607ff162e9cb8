// libFuzzer entry point for the HTTP client's response parser
// (Sources/HTTP/ClientConnection+Response.swift), compiled by fuzz/run.sh with the client
// connection and the files it needs. The input is what a server sends: it is written to one
// end of a socket pair (then closed) and the client reads responses from the other end until
// one fails or the connection may not be reused. Besides crashes and ASan reports, it checks
// the limits and the shape of what the parser hands back.

import Glibc
import Platform

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { checkFailure("socketpair") }
    var sent = 0
    while sent < size {
        let n = send(fds[1], data + sent, size - sent, Int32(MSG_NOSIGNAL))
        check(n > 0, "send to the socket pair failed")
        sent += n
    }
    Glibc.close(fds[1])
    let connection = ClientConnection(fd: fds[0], peer: "fuzz")
    defer { connection.close() }
    let maxBytes = 2048
    // The first byte (when odd) makes the first request a HEAD.
    var method = size > 0 && data[0] & 1 == 1 ? "HEAD" : "GET"
    for _ in 0..<8 {
        let deadline = monotonicNanos() + 2_000_000_000
        guard let result = try? connection.readResponse(method: method, deadline: deadline, maxBytes: maxBytes) else { break }
        let status = result.response.status
        check((0...999).contains(status), "status \(status) is not three digits")
        check(!(100..<200).contains(status) || status == 101, "interim status \(status) handed back")
        check(result.response.body.count <= maxBytes, "body of \(result.response.body.count) bytes over the limit \(maxBytes)")
        check(connection.index <= connection.buffer.count, "index past the buffer")
        guard result.reusable else { break }
        method = "GET"
    }
    return 0
}
