import Foundation
import Glibc
import Testing
import TestSupport

/// The token file as the built daemons read it, at `--check-config` as at start.
struct TokenFileTests {
    /// Runs `batch-gateway --check-config` on a configuration naming `token` (written with `mode`).
    func check(token: String?, mode: mode_t = 0o600) throws -> (status: Int32, err: String) {
        let dir = try makeTemporaryDirectory("token-file")
        defer { removeTree(dir) }
        if let token {
            try token.write(toFile: dir + "/token", atomically: false, encoding: .utf8)
            chmod(dir + "/token", mode)
        }
        try "[http]\ntoken-file = \(dir)/token\n".write(toFile: dir + "/batch.conf", atomically: false, encoding: .utf8)
        let child = try ChildProcess(executable: try BuiltProducts.path("batch-gateway"), arguments: ["--config", dir + "/batch.conf", "--check-config"],
                                     stdout: .file(dir + "/out"), stderr: .file(dir + "/err"))
        guard case .exited(let status)? = child.wait(timeout: .seconds(30)) else {
            _ = child.kill()
            throw TestSupportError("batch-gateway --check-config did not exit")
        }
        return (status, (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? "")
    }

    @Test func checkConfigReadsTheTokenFile() throws {
        let missing = try check(token: nil)
        #expect(missing.status == 78 && missing.err.contains("cannot read the token file"), "\(missing)")
        let good = try check(token: "s3cret\n")
        #expect(good.status == 0 && good.err.isEmpty, "\(good)")
    }

    @Test func aMultiLineTokenFileIsRefused() throws {
        let r = try check(token: "first-token\nsecond-token\n")
        #expect(r.status == 78, "\(r)")
        #expect(r.err.contains("more than one line"), "\(r.err)")
        #expect(!r.err.contains("first-token") && !r.err.contains("second-token"), "the error echoes the token: \(r.err)")
    }

    @Test(arguments: [0o644 as mode_t, 0o604])
    func aTokenFileEveryoneCanReadIsWarnedAbout(mode: mode_t) throws {
        let r = try check(token: "s3cret", mode: mode)
        #expect(r.status == 0, "\(r)")
        #expect(r.err.contains("warning:") && r.err.contains("readable by everyone"), "\(r.err)")
    }

    @Test func aTokenFileItsGroupCanReadIsFine() throws {
        // The units run as user batch and read root:batch 0640 files.
        let r = try check(token: "s3cret", mode: 0o640)
        #expect(r.status == 0 && !r.err.contains("warning:"), "\(r)")
    }
}
