import Testing
@testable import BatchCore

struct ConfigValueTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("10m", .seconds(600)),
        ("2h", .seconds(7200)), ("1d", .seconds(86400)), ("15", .seconds(15)), ("1.5s", .milliseconds(1500)),
        ("1h30m", .seconds(5400)), (" 0 ", .zero), ("0.25", .milliseconds(250)),
    ])
    func durationsParse(text: String, expected: Duration) {
        #expect(ConfigDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "abc", "-5s", "10x", "s", "5 s", "1e400", "ms10"])
    func badDurationsAreRefused(text: String) {
        #expect(ConfigDuration.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(600), "10m"), (.milliseconds(1500), "1500ms"), (.zero, "0s"), (.seconds(86400 * 7), "7d"),
        (.seconds(90), "90s"),
    ])
    func durationsFormatShortestExact(d: Duration, text: String) {
        #expect(ConfigDuration.format(d) == text)
        #expect(ConfigDuration.parse(text) == d)
    }

    @Test(arguments: [
        ("512", 512), ("64KiB", 65536), ("1MiB", 1 << 20), ("10MB", 10_000_000), ("4 KiB", 4096),
        ("1gib", 1 << 30), ("3B", 3), ("2kb", 2000),
    ])
    func sizesParse(text: String, expected: Int) {
        #expect(ByteSize.parse(text) == expected)
    }

    @Test(arguments: ["", "KiB", "1.5MiB", "10XB", "-1", "9999999999999GiB"])
    func badSizesAreRefused(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test(arguments: [
        ("127.0.0.1:20200", "127.0.0.1", 20200), ("[::1]:80", "::1", 80), (":8080", "", 8080),
        ("localhost:0", "localhost", 0),
    ])
    func hostPortsParse(text: String, host: String, port: Int) throws {
        let hp = try #require(HostPort(text))
        #expect(hp.host == host)
        #expect(Int(hp.port) == port)
        #expect(hp.description == text)
    }

    @Test(arguments: ["127.0.0.1", "::1:80", "[::1]80", "host:99999", "host:", "host:8x", "[]:80", "a b:1"])
    func badHostPortsAreRefused(text: String) {
        #expect(HostPort(text) == nil)
    }

    @Test func booleansAndListsParse() {
        for yes in ["yes", "true", "on", "YES", "1"] { #expect(ConfigBool.parse(yes) == true) }
        for no in ["no", "false", "off", "0"] { #expect(ConfigBool.parse(no) == false) }
        #expect(ConfigBool.parse("maybe") == nil)
        #expect(ConfigList.parse(" a, b ,,c ") == ["a", "b", "c"])
        #expect(ConfigList.parse("") == [])
    }

    @Test(arguments: [
        ("retires", ["max-attempts", "timeout"], ["retries": "max-attempts"], "max-attempts"),
        ("timout", ["max-attempts", "timeout"], [:], "timeout"),
        ("sate", ["state", "job", "limit"], [:], "state"),
        ("zzzzzz", ["state", "job"], [:], nil),
    ] as [(String, [String], [String: String], String?)])
    func suggestionsFindCloseNames(word: String, candidates: [String], aliases: [String: String], expected: String?) {
        #expect(Suggestion.closest(to: word, in: candidates, aliases: aliases) == expected)
    }

    @Test func editDistanceCountsSwapsAsOne() {
        #expect(Suggestion.distance("retires", "retries") == 1)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }
}
