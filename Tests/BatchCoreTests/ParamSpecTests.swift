import Foundation
import Synchronization
import Testing
@testable import BatchCore

struct ParamSpecTests {
    @Test(arguments: [
        ("required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$", ParamSpec(name: "p", type: .pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), required: true)),
        ("int 0..3600, default 1", ParamSpec(name: "p", type: .int(min: 0, max: 3600), defaultValue: "1")),
        ("required, enum KRW|USD", ParamSpec(name: "p", type: .oneOf(["KRW", "USD"]), required: true)),
        ("string, max-length 10", ParamSpec(name: "p", maxLength: 10)),
        ("pattern ^a{1,3}$, max-length 3", ParamSpec(name: "p", type: .pattern("^a{1,3}$"), maxLength: 3)),
        ("int -5..5", ParamSpec(name: "p", type: .int(min: -5, max: 5))),
        ("default a,b", ParamSpec(name: "p", defaultValue: "a,b")),
        ("string, allow-control", ParamSpec(name: "p", allowControl: true)),
        ("", ParamSpec(name: "p")),
    ])
    func declarationsAreRead(declaration: String, expected: ParamSpec) throws {
        #expect(try ParamSpec(name: "p", declaration: declaration) == expected)
    }

    @Test(arguments: [
        ("int 0..9, enum A|B", "more than one type (int and enum); give one of int, pattern, enum, string"),
        ("required, default 3", "a required parameter cannot have a default (drop one of them)"),
        ("int ten..20", "\"int\" takes a range MIN..MAX, as in int 0..3600 (found \"ten..20\")"),
        ("max-length 0", "\"max-length\" needs a positive number, found \"0\""),
        ("enum A||B", "\"enum\" needs words separated by |, as in enum KRW|USD"),
        ("required yes", "\"required\" takes no value (found \"required yes\")"),
        ("enum A|B, default C", "default \"C\" is not one of A|B"),
    ])
    func badDeclarationsSayWhy(declaration: String, message: String) {
        #expect(throws: ParamDeclarationError(message)) { try ParamSpec(name: "p", declaration: declaration) }
    }

    static let job = JobType(name: "report", argv: ["/bin/report", "--date", "{date}", "--n", "{n}", "--tag", "{tag}", "{execution-id}", "{attempt}"],
                             params: [
                                ParamSpec(name: "date", type: .pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), required: true),
                                ParamSpec(name: "n", type: .int(min: 0, max: 3600), defaultValue: "1"),
                                ParamSpec(name: "tag", type: .oneOf(["a", "b"])),
                                ParamSpec(name: "note", maxLength: 5),
                             ])

    @Test(arguments: [
        (["date": JSONValue.string("2026-01-02")], ["date": "2026-01-02", "n": "1"]),
        (["date": .string("2026-01-02"), "n": .number(30), "tag": .string("b")], ["date": "2026-01-02", "n": "30", "tag": "b"]),
        (["date": .string("2026-01-02"), "n": .string("7"), "note": .null], ["date": "2026-01-02", "n": "7"]),
        (["date": .string("2026-01-02"), "note": .bool(true)], ["date": "2026-01-02", "n": "1", "note": "true"]),
    ] as [([String: JSONValue], [String: String])])
    func validParametersGetTheirDefaults(given: [String: JSONValue], expected: [String: String]) throws {
        #expect(try Self.job.validate(given).get() == expected)
    }

    @Test(arguments: [
        ([:], "parameter \"date\": is required"),
        (["date": JSONValue.string("2026-13")], "parameter \"date\": \"2026-13\" does not match ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        (["date": .string("2026-01-02\n")], "parameter \"date\": contains the control character U+000A at character 10 (declare allow-control to permit control characters)"),
        (["date": .string("x2026-01-02")], "parameter \"date\": \"x2026-01-02\" does not match ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        (["date": .string("2026-01-02"), "n": .number(4000)], "parameter \"n\": 4000 is out of range 0..3600"),
        (["date": .string("2026-01-02"), "n": .number(1.5)], "parameter \"n\": 1.5 is not a whole number"),
        (["date": .string("2026-01-02"), "n": .string("ten")], "parameter \"n\": \"ten\" is not a whole number"),
        (["date": .string("2026-01-02"), "n": .array([])], "parameter \"n\": must be a string or a number, not an array"),
        (["date": .string("2026-01-02"), "tag": .string("c")], "parameter \"tag\": \"c\" is not one of a|b"),
        (["date": .string("2026-01-02"), "note": .string("toolong")], "parameter \"note\": is 7 characters long, longer than 5"),
        (["date": .string("2026-01-02"), "dat": .string("x")], "parameter \"dat\": unknown parameter (did you mean \"date\"?); declared: date, n, tag, note"),
        (["n": .number(-1), "zzz": .string("x")], "parameter \"date\": is required; parameter \"n\": -1 is out of range 0..3600; parameter \"zzz\": unknown parameter; declared: date, n, tag, note"),
    ] as [([String: JSONValue], String)])
    func invalidParametersNameTheParameterAndWhy(given: [String: JSONValue], message: String) {
        switch Self.job.validate(given) {
        case .success(let v): Issue.record("accepted \(v)")
        case .failure(let e): #expect(e.description == message)
        }
    }

    @Test(arguments: ["; rm -rf /", "$(reboot)", "`id`", "a b c", "--help", "\"quoted\" 'x'", "line\nbreak", "*", ""])
    func argvPlaceholdersStayOneLiteralArgument(value: String) {
        let argv = Self.job.argv(for: ["date": value, "n": "3"], executionId: "01ABC", attempt: 2)
        #expect(argv == ["/bin/report", "--date", value, "--n", "3", "--tag", "", "01ABC", "2"])
    }

    @Test func schemaRoundTripsThroughJSONFlat() throws {
        let data = try JSONEncoder().encode(Self.job)
        #expect(try JSONDecoder().decode(JobType.self, from: data) == Self.job)
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let spec = try String(decoding: enc.encode(Self.job.params[1]), as: UTF8.self)
        #expect(spec == #"{"default":"1","max":3600,"min":0,"name":"n","required":false,"type":"int"}"#)
    }

    @Test func retryPolicyFollowsMaxAttemptsAndExitCodes() {
        var job = JobType(name: "j", maxAttempts: 3, retryOnExit: [75], backoff: .seconds(5), backoffMax: .seconds(12))
        #expect(job.allowsRetry(afterAttempt: 1, exitCode: 75))
        #expect(!job.allowsRetry(afterAttempt: 1, exitCode: 1))
        #expect(!job.allowsRetry(afterAttempt: 1, exitCode: nil))
        #expect(!job.allowsRetry(afterAttempt: 3, exitCode: 75))
        job.retryOnExit = []
        #expect(job.allowsRetry(afterAttempt: 2, exitCode: nil))
        #expect(job.retryBackoff.ceiling(attempt: 0) == .seconds(5))
        #expect(job.retryBackoff.ceiling(attempt: 1) == .seconds(10))
        #expect(job.retryBackoff.ceiling(attempt: 2) == .seconds(12))
        #expect(job.retryBackoff.jitter == .equal)
    }

    @Test(arguments: [
        ("/bin/x a b", ["/bin/x", "a", "b"]), ("/bin/x  'a b'  \"c d\"", ["/bin/x", "a b", "c d"]),
        ("/bin/x \"say \\\"hi\\\"\" a\\ b", ["/bin/x", "say \"hi\"", "a b"]), ("/bin/x '' \"\"", ["/bin/x", "", ""]),
        ("/bin/x '$HOME' \"\\$x\"", ["/bin/x", "$HOME", "\\$x"]),
    ])
    func commandsSplitWithoutAShell(text: String, expected: [String]) throws {
        #expect(try CommandWords.split(text).get() == expected)
    }

    @Test func validationGivesTheSameAnswersFromManyThreads() {
        let good: [String: JSONValue] = ["date": .string("2026-01-02")]
        let bad: [String: JSONValue] = ["date": .string("2026-1-02")]
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2000) { i in
            let ok = (try? Self.job.validate(i % 2 == 0 ? good : bad).get()) != nil
            if ok != (i % 2 == 0) { wrong.withLock { $0 += 1 } }
        }
        #expect(wrong.withLock { $0 } == 0)
    }

    @Test(arguments: [
        // (pattern, value, matches): whole-value matching with ICU's syntax and code-point semantics.
        ("[a-z]+", "abc", true),
        ("[a-z]+", "abc\n", false),
        ("^[a-z]+$", "ab\ncd", false),
        ("a|b", "ab", false),
        ("a|b", "b", true),
        ("\\d{2}-\\w+", "42-report_1", true),
        ("(?i)usd", "USD", true),
        ("^.$", "é", true),
        ("^.$", "e\u{301}", false),
        ("^..$", "e\u{301}", true),
        ("[^,]+", "a,b", false),
        ("x*?", "", true),
    ])
    func patternsMatchTheWholeValue(pattern: String, value: String, matches: Bool) {
        #expect((ParamSpec(name: "p", type: .pattern(pattern)).problem(with: value) == nil) == matches)
    }

    @Test func anInvalidPatternIsAProblemNotACrash() {
        #expect(ParamSpec(name: "p", type: .pattern("[a-")).problem(with: "a") == "has an invalid pattern [a-")
    }

    @Test(arguments: [
        ("a\u{7}b", "\"a\\x07b\""), ("\u{1B}[0m", "\"\\x1B[0m\""), ("tab\there", "\"tab\\there\""), ("\u{7F}", "\"\\x7F\""),
    ])
    func controlCharactersInMessagesAreEscapedInHex(value: String, quoted: String) {
        #expect(ParamSpec.quote(value) == quoted)
    }

    static let csv = JobType(name: "load", argv: ["/bin/load", "{file}"], params: [
        ParamSpec(name: "file", type: .pattern(#"^[^/]+\.csv$"#), required: true),
        ParamSpec(name: "text", allowControl: true),
    ])

    @Test(arguments: [
        ("secret.key\u{0}.csv", "U+0000"), ("a\u{1}.csv", "U+0001"), ("a\t.csv", "U+0009"), ("a\u{1B}[2J.csv", "U+001B"),
        ("a\u{7F}.csv", "U+007F"), ("a\u{85}.csv", "U+0085"), ("a\u{9B}.csv", "U+009B"),
    ])
    func controlCharactersInValuesAreRefusedBeforeThePattern(value: String, character: String) {
        switch Self.csv.validate(["file": .string(value)]) {
        case .success(let v): Issue.record("accepted \(v)")
        case .failure(let e):
            #expect(e.problems.map(\.parameter) == ["file"])
            #expect(e.description.contains(character), "\(e)")
        }
    }

    @Test func allowControlPermitsControlCharactersButNeverNUL() throws {
        #expect(try Self.csv.validate(["file": .string("a.csv"), "text": .string("line 1\nline 2\t\u{1B}[0m\u{85}")]).get()["text"]
                == "line 1\nline 2\t\u{1B}[0m\u{85}")
        guard case .failure(let e) = Self.csv.validate(["file": .string("a.csv"), "text": .string("a\u{0}b")]) else {
            Issue.record("a NUL was accepted"); return
        }
        #expect(e.description == "parameter \"text\": contains a NUL character (U+0000) at character 1; NUL can never reach a job")
        // Ordinary text beyond ASCII stays allowed.
        #expect(try Self.csv.validate(["file": .string("résumé 東京.csv")]).get()["file"] == "résumé 東京.csv")
    }

    @Test func allowControlTravelsWithTheSchema() throws {
        let data = try JSONEncoder().encode(Self.csv)
        #expect(try JSONDecoder().decode(JobType.self, from: data).params[1].allowControl)
    }
}
