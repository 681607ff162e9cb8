import Foundation
import Testing
@testable import BatchCore

/// The hand-written JSON reader and writer, checked against Foundation's coders.
struct FastJSONTests {
    static let documents = [
        #"{}"#, #"[]"#, #"0"#, #"-0"#, #"12.5e-3"#, #"-1E+2"#, #"true"#, #"false"#, #"null"#, #""""#,
        #" { "a" : [ 1 , 2.5 , "x" , null , true , { } ] , "b" : { "c" : "d" } } "#,
        #"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "é中😀"]"#,
        #"{"n": 9007199254740993, "m": 123456789012345678901234567890}"#,
    ]

    @Test(arguments: documents) func readsWhatJSONDecoderReads(_ text: String) throws {
        let fast = try #require(JSONReader.parse(Array(text.utf8)))
        let slow = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(fast == slow)
    }

    static let invalid = [
        "", " ", "{", "}", "[1,]", "[,1]", #"{"a":1,}"#, #"{"a"}"#, #"{a:1}"#, "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", #""abc"#, "\"a\u{01}b\"", #""\x""#, #""\u12""#, #""\ud83d""#, #""\ude00""#, "[1] 2", "NaN",
        #"{"a":1,"a":2}"#, String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
    ]

    @Test(arguments: invalid) func refusesWhatItDoesNotTake(_ text: String) {
        #expect(JSONReader.parse(Array(text.utf8)) == nil)
    }

    @Test func nestingUpToTheLimitReads() {
        let depth = JSONReader.maxDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(JSONReader.parse(Array(text.utf8)) != nil)
    }

    @Test func writtenStringsReadBackExactly() throws {
        let samples = ["", "plain", "quote \" backslash \\ slash /", "lines\n\r\t", "\u{0}\u{1}\u{1f}\u{7f}", "é中😀"]
        var w = JSONWriter()
        w.beginArray()
        for s in samples { w.string(s) }
        w.int(-42)
        w.bool(true)
        w.null()
        w.endArray()
        let back = try JSONDecoder().decode([JSONValue].self, from: Data(w.bytes))
        #expect(back == samples.map { .string($0) } + [.number(-42), .bool(true), .null])
    }

    @Test func anExecuteRequestReadsAsItsCodableForm() throws {
        let bodies = [
            #"{"jobType":"noop"}"#,
            #"{"jobType":"report","params":{"date":"2026-11-24","n":3,"ok":true},"priority":7,"timeoutSeconds":60,"maxAttempts":2,"idempotencyKey":"k","trigger":{"source":"api","user":"ana"}}"#,
            #"{"jobType":"x","priority":null,"trigger":null,"unknown":[1,2]}"#,
        ]
        for body in bodies {
            let fast = try #require(BatchExecutionRequest(json: Array(body.utf8)))
            #expect(fast == (try JSONDecoder().decode(BatchExecutionRequest.self, from: Data(body.utf8))))
        }
        // What the fast form does not take goes to JSONDecoder, for its error.
        for body in [#"{"priority":1}"#, #"{"jobType":5}"#, #"{"jobType":"x","priority":"high"}"#, #"{"jobType":"x","trigger":{}}"#,
                     #"{"jobType":"x","params":[]}"#, "not json"] {
            #expect(BatchExecutionRequest(json: Array(body.utf8)) == nil)
        }
    }

    @Test func answersAreWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let answer = BatchExecutionResponse(executionId: "01M89SCEZCZD3EEA3NVAANN3XW", state: .queued, duplicate: false)
        #expect(answer.json == Array(try encoder.encode(answer)))
    }

    @Test func workerBatchesRoundTrip() throws {
        let batch = WorkerDispatchBatch(dispatches: [
            WorkerDispatchItem(jobType: "noop", WorkerDispatchRequest(executionId: "a", attempt: 1, params: [:], timeoutSeconds: 60, leaseMs: 30_000)),
            WorkerDispatchItem(jobType: "report", WorkerDispatchRequest(executionId: "b", attempt: 3, params: ["z": "1", "a": "x\"y"],
                                                                        timeoutSeconds: 1, leaseMs: 100)),
        ])
        #expect(WorkerDispatchBatch(json: batch.json) == batch)
        #expect(try JSONDecoder().decode(WorkerDispatchBatch.self, from: Data(batch.json)) == batch)
        #expect(WorkerDispatchBatch(json: Array(try JSONEncoder().encode(batch))) == batch)

        let answers = WorkerDispatchBatchResponse(results: [
            WorkerDispatchAnswer(executionId: "a", status: 202, state: "running"),
            WorkerDispatchAnswer(executionId: "b", status: 429, detail: "all 64 slots are busy"),
        ])
        #expect(WorkerDispatchBatchResponse(json: answers.json) == answers)
        #expect(try JSONDecoder().decode(WorkerDispatchBatchResponse.self, from: Data(answers.json)) == answers)
        #expect(WorkerDispatchBatch(json: Array(#"{"dispatches":[{"jobType":"noop"}]}"#.utf8)) == nil)
    }
}

struct JSONProblemTests {
    @Test(arguments: [
        (Array(#"{"jobType":"a","jobType":"b"}"#.utf8), "the key \"jobType\" appears twice in one object (byte offset 15); give each key once"),
        (Array(#"{"params":{"x":1,"x":2}}"#.utf8), "the key \"x\" appears twice in one object (byte offset 17); give each key once"),
        (Array(#"{"jobType":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8), "the body is not valid UTF-8 (byte offset 13)"),
        ([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], "the body is not valid UTF-8 (byte offset 2)"),
        ([0xED, 0xA0, 0x80], "the body is not valid UTF-8 (byte offset 0)"),
        (Array("5.5".utf8), "expected a JSON object, found a number"),
        (Array("[1]".utf8), "expected a JSON object, found an array"),
        (Array(#""x""#.utf8), "expected a JSON object, found a string"),
        (Array("{\"a\":}".utf8), "not valid JSON at byte offset 5"),
        (Array("{} x".utf8), "unexpected text after the JSON value at byte offset 3"),
        (Array("{\"a\":1".utf8), "the JSON ends too early"),
        ([], "the body is empty; expected a JSON object"),
    ] as [([UInt8], String)])
    func bodyProblemsSayWhatIsWrongAndWhere(body: [UInt8], message: String) {
        #expect(JSONReader.objectProblem(body) == message)
    }

    @Test func aWellFormedObjectHasNoProblem() {
        #expect(JSONReader.objectProblem(Array(#"{"a":"é東😀","b":[1,{"c":null}]}"#.utf8)) == nil)
    }
}
