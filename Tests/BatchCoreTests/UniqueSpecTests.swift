import Foundation
import Testing
@testable import BatchCore

/// `unique` in a `[job]` section, its lock key and its wire form.
struct UniqueSpecTests {
    func job(_ unique: String) throws -> JobType? {
        let text = "[job \"a\"]\ncommand = /bin/x\nparam.date = string\nparam.file = string\nunique = \(unique)"
        return try Configuration.parse(text: text, file: "F", validators: .init()).jobs["a"]
    }

    @Test func theSettingReadsAllParametersOrSomeByName() throws {
        #expect(try job("params")?.unique == .params)
        #expect(try job("params")?.uniqueParams == ["date", "file"])
        #expect(try job("file, date")?.unique == .names(["file", "date"]))
        #expect(try job("date")?.uniqueParams == ["date"])
        #expect(try Configuration.parse(text: "[job \"a\"]\ncommand = /bin/x", file: "F", validators: .init()).jobs["a"]?.unique == nil)
    }

    @Test(arguments: [
        ("[job \"a\"]\ncommand = /bin/x\nparam.date = string\nunique = dat",
         ["F:4: \"unique\" in [job \"a\"] names \"dat\", which is not a declared parameter (did you mean \"date\"?); it declares date, or write unique = params"]),
        ("[job \"a\"]\ncommand = /bin/x\nunique = day",
         ["F:3: \"unique\" in [job \"a\"] names \"day\", which is not a declared parameter; it declares none, or write unique = params"]),
        ("[job \"a\"]\ncommand = /bin/x\nunique = ,", ["F:3: invalid \"unique\" in [job \"a\"]: expected \"params\" or parameter names separated by commas"]),
        ("[job \"a\"]\ncommand = /bin/x\ndedupe = params", ["F:3: unknown key \"dedupe\" in [job \"a\"] (did you mean \"unique\"?)"]),
    ] as [(String, [String])])
    func anUndeclaredNameIsRefusedWithFileAndLine(text: String, expected: [String]) {
        #expect(parseErrors(text, file: "F") == expected)
    }

    @Test func theKeyDependsOnTheJobAndTheChosenValuesOnly() throws {
        let t = try #require(try job("date"))
        let key = try #require(t.uniqueKey(["date": "2026-12-08", "file": "a"]))
        #expect(key.count == 64)
        #expect(t.uniqueKey(["date": "2026-12-08", "file": "b"]) == key)
        #expect(t.uniqueKey(["date": "2026-12-09"]) != key)
        // An absent value is not an empty one.
        #expect(t.uniqueKey([:]) != t.uniqueKey(["date": ""]))
        var other = t
        other.name = "b"
        #expect(other.uniqueKey(["date": "2026-12-08"]) != key)
        let all = try #require(try job("params"))
        #expect(all.uniqueKey(["date": "x", "file": "a"]) != all.uniqueKey(["date": "x", "file": "b"]))
        // Values cannot run into names: each is length-prefixed.
        #expect(all.uniqueKey(["date": "x|4:file=1:a"]) != all.uniqueKey(["date": "x", "file": "a"]))
        var none = t
        none.unique = nil
        #expect(none.uniqueKey(["date": "x"]) == nil)
    }

    @Test func theWireFormIsTheWordOrTheNames() throws {
        for spec in [UniqueSpec.params, .names(["date"])] {
            var t = try #require(try job("date"))
            t.unique = spec
            let json = try JSONEncoder().encode(t)
            #expect(try JSONDecoder().decode(JobType.self, from: json) == t)
        }
        #expect(String(decoding: try JSONEncoder().encode(UniqueSpec.params), as: UTF8.self) == #""params""#)
        #expect(String(decoding: try JSONEncoder().encode(UniqueSpec.names(["a", "b"])), as: UTF8.self) == #"["a","b"]"#)
        // A job type registered without the setting (an older worker) has none.
        let old = #"{"name":"x","kind":"builtin","argv":[],"method":"POST","headers":{},"params":[],"timeoutMs":1000,"maxAttempts":1,"retryOnExit":[],"backoffMs":1,"backoffMaxMs":1,"concurrency":0,"env":{}}"#
        #expect(try JSONDecoder().decode(JobType.self, from: Data(old.utf8)).unique == nil)
    }
}
