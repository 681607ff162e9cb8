import Foundation
import CNcursesw
import Glibc
import Testing
@testable import Terminal

/// A pseudo-terminal: the screen runs on its slave side, the test plays the terminal
/// on the master side, reading what curses sends and typing keys.
final class PseudoTerminal {
    let master: Int32
    let slave: Int32
    private(set) var received = [UInt8]()

    init() throws {
        master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            throw POSIXError(.ENODEV)
        }
        slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.ENODEV) }
    }

    deinit {
        Glibc.close(slave)
        Glibc.close(master)
    }

    func type(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what the screen sent until `text` has arrived, or the deadline passed.
    func waitFor(_ text: String, seconds: Double = 5) -> Bool {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if contains(needle) { return true }
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n > 0 { received += buf[0..<n] }
        }
        return contains(needle)
    }

    private func contains(_ needle: [UInt8]) -> Bool {
        guard needle.count <= received.count else { return false }
        for i in 0...(received.count - needle.count) where received[i] == needle[0] {
            if Array(received[i..<(i + needle.count)]) == needle { return true }
        }
        return false
    }
}

/// One suite, one at a time: curses has process-wide state (the current screen, the
/// signal handlers), so two screens must not be open at once.
@Suite(.serialized)
struct CursesScreenTests {
    @Test func drawsTextReadsKeysAndGivesTheTerminalBack() throws {
        let pty = try PseudoTerminal()
        let screen = try CursesScreen(color: false, input: pty.slave, output: pty.slave, term: "xterm")
        #expect(screen.size.rows > 0 && screen.size.cols > 0)
        #expect(pty.waitFor("\u{1B}[?1049h"))  // the alternate screen
        screen.put(0, 0, "hello 世界", .normal)
        screen.refresh()
        #expect(pty.waitFor("hello 世界"))
        let keys: [(String, Key)] = [("\u{1B}OA", .up), ("q", .char("q")), ("\u{1B}OP", .f(1)), ("\r", .enter),
                                     ("한", .char("한")), ("\u{1B}[6~", .pageDown), ("\u{7F}", .backspace)]
        for (typed, key) in keys {
            pty.type(typed)
            #expect(screen.readKey(timeoutMilliseconds: 3000) == key, "typed \(typed.debugDescription)")
        }
        #expect(screen.readKey(timeoutMilliseconds: 10) == nil)  // nothing typed: a timeout
        screen.close()
        #expect(pty.waitFor("\u{1B}[?1049l"))  // back to the shell's screen
        screen.close()  // twice is harmless
    }

    @Test func anUnknownTerminalTypeIsAnErrorNotAnExit() throws {
        let pty = try PseudoTerminal()
        #expect(throws: TerminalError.unusableTerminal(term: "no-such-terminal")) {
            try CursesScreen(input: pty.slave, output: pty.slave, term: "no-such-terminal")
        }
    }

    @Test func aPipeIsNotATerminal() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { Glibc.close(fds[0]); Glibc.close(fds[1]) }
        #expect(throws: TerminalError.notATerminal) {
            try CursesScreen(input: fds[0], output: fds[1])
        }
    }
}
