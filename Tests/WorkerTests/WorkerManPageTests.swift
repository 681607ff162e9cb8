import Foundation
import Testing
import TestSupport

@Suite(.blocking)
struct WorkerManPageTests {
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    @Test func everyOptionOfHelpAndEveryWorkerKeyIsInTheManPage() throws {
        let man = try String(contentsOfFile: Self.packageRoot + "/man/batch-worker.8", encoding: .utf8)
            .replacingOccurrences(of: "Fl Fl ", with: "--")
        let p = try ChildProcess(executable: WorkerHarness.binary("batch-worker"), arguments: ["--help"])
        #expect(p.wait(timeout: .seconds(10)) == .exited(0))
        // It exits a moment before its output is all read.
        #expect(p.waitForOutputEnd(timeout: .seconds(10)))
        let help = p.standardOutput + p.standardError
        let options = Set(help.split(whereSeparator: { " \n,[]".contains($0) }).filter { $0.hasPrefix("--") && $0.count > 2 }
            .map { String($0.prefix { $0.isLetter || $0.isNumber || $0 == "-" }) })
        #expect(options.contains("--listen"))
        let missing = options.filter { !man.contains($0) }.sorted()
        #expect(missing.isEmpty, "not in man/batch-worker.8: \(missing)")
        for key in ["slots", "job-types", "drain-timeout", "kill-grace", "output-flush", "output-max-lines-per-second",
                    "line-max-bytes", "log-dir", "lease-renew", "env-passthrough",
                    "noop", "sleep", "fail", "echo", "SIGTERM", "STOPPING=1", ".Sh EXIT STATUS", ".Sh FILES", ".Sh EXAMPLES"] {
            #expect(man.contains(key), "\(key) is not in man/batch-worker.8")
        }
    }
}
