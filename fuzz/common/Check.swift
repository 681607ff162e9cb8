// Shared by every fuzz target (fuzz/run.sh compiles it in): a precondition whose message
// survives -O (Swift drops precondition messages in optimized builds), printed before the
// trap so the crash report says which property broke.
import Glibc

func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if condition { return }
    let text = "fuzz check failed at \(file):\(line): \(message())\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    abort()
}

func checkFailure(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    check(false, message(), file: file, line: line)
    abort()
}
