import Foundation
@testable import Store
import Testing

/// The fast parameter coders agree with Foundation's wherever they answer.
struct FlatJSONTests {
    static let objects: [[String: String]] = [
        [:],
        ["date": "2026-11-24"],
        ["b": "2", "a": "1", "c": ""],
        ["a_b": "1", "ab": "2", "a": "3", "b_": "4", "_a": "5", "aa_": "6", "a__": "7", "z": "8", "_": "9"],
        ["path": "/var/tmp/x y", "q": "a:b,c}{"],
        ["quote": "say \"hi\""],
        ["back": #"C:\dir"#],
        ["nl": "line\nnext", "tab": "a\tb"],
        ["Upper": "1", "lower": "2"],
        ["a10": "1", "a9": "2"],
        ["accent": "café", "emoji": "🙂"],
        ["x": String(repeating: "v", count: 2_000)],
    ]

    @Test(arguments: objects)
    func encodingMatchesTheSortedJSONEncoderOrDeclines(_ object: [String: String]) throws {
        let foundation = String(decoding: try JSONEncoder.sorted.encode(object), as: UTF8.self)
        if let fast = FlatJSON.encode(object) {
            #expect(fast == foundation)
        }
        #expect(FlatJSON.encode(object) != nil || object.keys.contains { $0.contains { !("a"..."z").contains($0) && $0 != "_" } }
                || object.values.contains { $0.utf8.contains { $0 < 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x5C } })
    }

    @Test(arguments: objects)
    func decodingFoundationsBytesGivesTheSameObjectOrDeclines(_ object: [String: String]) throws {
        let text = String(decoding: try JSONEncoder.sorted.encode(object), as: UTF8.self)
        let fast = FlatJSON.decode(text)
        if let fast { #expect(fast == object) }
        if !text.contains("\\") { #expect(fast == object) }
    }

    @Test(arguments: [
        "", "{", "}", "[]", "{ }", #"{"a":1}"#, #"{"a":"1",}"#, #"{"a":"1""#, #"{"a""1"}"#, #"{"a":"1"}x"#,
        #"{"a":"1","a":"2"}"#, #"{"a":"\u0041"}"#, #"{"a":"1" }"#, #"{"a":"1"}}"#, #"{"a":null}"#,
    ])
    func declinesWhatItDoesNotFullyUnderstand(_ text: String) {
        #expect(FlatJSON.decode(text) == nil)
    }
}
