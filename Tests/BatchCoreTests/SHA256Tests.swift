import Testing
@testable import BatchCore

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func digestsMatchTheStandardsVectors(text: String, hex: String) {
        #expect(SHA256.hex(Array(text.utf8)) == hex)
    }

    @Test func aFingerprintChangesWithWhatWouldRunAndOnlyWithThat() {
        let a = BatchExecutionRequest(jobType: "report", params: ["date": .string("2026-11-24"), "n": .number(5)], idempotencyKey: "k")
        var same = a
        same.params = ["n": .string("5"), "date": .string("2026-11-24"), "x": .null]
        same.idempotencyKey = "other"
        same.trigger = Trigger(source: "batchctl", user: "ann")
        #expect(a.fingerprint == same.fingerprint)
        var changes: [BatchExecutionRequest] = []
        for edit in [{ (r: inout BatchExecutionRequest) in r.jobType = "reports" },
                     { $0.params?["date"] = .string("2026-11-25") },
                     { $0.params?["extra"] = .string("") },
                     { $0.priority = 9 }, { $0.timeoutSeconds = 10 }, { $0.maxAttempts = 1 },
                     { $0.trigger = Trigger(source: "schedule", schedule: "s", fireTime: "2026-11-24T00:00:00Z") }] {
            var r = a
            edit(&r)
            changes.append(r)
        }
        let prints = Set(changes.map(\.fingerprint) + [a.fingerprint])
        #expect(prints.count == changes.count + 1)
        // Length prefixes: moving text between fields gives another fingerprint.
        #expect(BatchExecutionRequest(jobType: "a", params: ["b": .string("c")]).fingerprint
                != BatchExecutionRequest(jobType: "a", params: ["bc": .string("")]).fingerprint)
    }
}
