import Foundation
import Testing
@testable import BatchCore

struct ConfigAbuseTests {
    @Test func anIncludedSecretFileIsNotEchoedIntoErrors() throws {
        let dir = try makeTempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let secret = "root:$6$Zx9hQ2secretsalt$W5bL0ngHashValueThatMustNotLeak1234567890:19700:0:99999:7:::\n"
            + "dG9rZW4tdGhhdC1pcy1zZWNyZXQ=\n"
        try secret.write(toFile: dir + "/shadow", atomically: true, encoding: .utf8)
        try "include = \(dir)/shadow\n".write(toFile: dir + "/main.conf", atomically: true, encoding: .utf8)
        do {
            _ = try Configuration.load(path: dir + "/main.conf")
            Issue.record("a shadow-like file loaded as configuration")
        } catch {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains("\(dir)/shadow:1:") && text.contains("\(dir)/shadow:2:"), "\(text)")
            for leak in ["Zx9hQ2", "W5bL0ng", "19700", "99999", "dGhhdC1pcy1zZWNyZXQ", "zZWNyZXQ"] {
                #expect(!text.contains(leak), "the error echoes the included file: \(text)")
            }
        }
    }

    @Test func parametersThatCollideInTheEnvironmentAreRefusedWithFileAndLine() {
        let errors = parseErrors("[job \"a\"]\ncommand = /bin/a {date}\nparam.date = string\nparam.DATE = string\nparam.run-id = string\nparam.run_id = string\n",
                                 file: "F")
        #expect(errors == [
            "F:4: parameter \"DATE\" in [job \"a\"] collides with parameter \"date\": both reach the job as BATCH_PARAM_DATE (names may not differ only in case or in '-' and '_')",
            "F:6: parameter \"run_id\" in [job \"a\"] collides with parameter \"run-id\": both reach the job as BATCH_PARAM_RUN_ID (names may not differ only in case or in '-' and '_')",
        ])
    }

    @Test func jobNamesHaveOneLimitInConfigAndInRequests() {
        let long = String(repeating: "j", count: JobType.maxNameLength)
        #expect(parseErrors("[job \"\(long)\"]\nkind = builtin\nbuiltin = noop\n").isEmpty)
        #expect(JobType.isValidName(long))
        #expect(!JobType.isValidName(long + "j"))
        #expect(!parseErrors("[job \"\(long)j\"]\nkind = builtin\nbuiltin = noop\n").isEmpty)
        #expect(!JobType.isValidName("café") && !JobType.isValidName("a/b") && !JobType.isValidName(""))
    }
}
