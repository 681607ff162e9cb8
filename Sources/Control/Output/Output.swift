import BatchCore
import Foundation
import Glibc
import Platform

/// Standard output of the command: whole lines, written at once (so `--follow`
/// output reaches a pipe line by line), JSON with stable sorted keys.
final class Output {
    let style: Style
    private let fd: Int32

    init(style: Style, fd: Int32 = 1) { self.style = style; self.fd = fd }

    func line(_ text: String = "") { write(text + "\n") }

    func lines(_ all: [String]) { if !all.isEmpty { write(all.joined(separator: "\n") + "\n") } }

    /// One JSON document on one line.
    func json<T: Encodable>(_ value: T) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? e.encode(value)) ?? Data("null".utf8)
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    func write(_ text: String) {
        do {
            try writeAll(fd, Array(text.utf8))
        } catch {
            // The reader went away (`batchctl events --follow | head`): end quietly, as
            // programs killed by SIGPIPE do.
            if error.errno == EPIPE { signal(SIGPIPE, SIG_DFL); raise(SIGPIPE) }
            Foundation.exit(1)
        }
    }
}
