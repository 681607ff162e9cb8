import Foundation
import Testing
import TestSupport

/// Exit 2 for usage, 69 when there is nothing to talk to; one line on stderr that says what to do.
@Suite(.blocking) struct UsageAndFailureTests {
    @Test(arguments: [
        ([String](), "missing command"),
        (["lsit"], "did you mean 'list'"),
        (["list", "--sate", "queued"], "did you mean '--state'"),
        (["list", "--limit", "0"], "expected 1..1000"),
        (["list", "--state", "sleeping"], "expected one of"),
        (["trigger"], "missing argument JOB"),
        (["trigger", "noop", "--param", "novalue"], "expected KEY=VALUE"),
        (["trigger", "noop", "--priority", "12"], "expected 0..9"),
        (["cancel"], "missing argument ID"),
        (["schedule", "next", "not a cron"], "cron"),
        (["schedule", "next", "@daily", "--zone", "Mars/Olympus"], "Mars/Olympus"),
        (["schedule", "next", "@daily", "--from", "yesterday"], "yesterday"),
        (["breakers", "force-open"], "missing argument WORKER"),
        (["completion", "words", "planets"], "unknown kind"),
    ])
    func badUsageExits2WithAHint(args: [String], hint: String) throws {
        let r = try batchctl(["--redis", "redis://127.0.0.1:1/0"] + args)
        #expect(r.status == 2, "\(r)")
        #expect(r.err.contains(hint), "\(r)")
        #expect(r.err.hasPrefix("batchctl: "), "\(r)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r)")
        #expect(r.out.isEmpty)
    }

    @Test(arguments: [(["--config", "/nonexistent/batch.conf", "list"], "no such file: /nonexistent/batch.conf"),
                      (["--redis", "mysql://db", "list"], "redis.url"),
                      (["--redis", "redis://127.0.0.1:1/0", "--gateway", "ftp://x", "list"], "client.gateway")])
    func unusableConfigurationExits2(args: [String], hint: String) throws {
        let r = try batchctl(args)
        #expect(r.status == 2, "\(r)")
        #expect(r.err.contains(hint), "\(r)")
        #expect(r.err.split(separator: "\n").count == 2, "\(r)")  // the problem, then what to do
    }

    @Test func everyConfigurationProblemIsALineOfItsOwn() throws {
        let dir = try makeTemporaryDirectory("batchctl-config")
        defer { removeTree(dir) }
        try "[job \"a\"]\ncommand = /bin/true\nparam.d = required, patern ^x$\ntimeout = soon\n"
            .write(toFile: dir + "/batch.conf", atomically: true, encoding: .utf8)
        let r = try batchctl(["--config", dir + "/batch.conf", "list"])
        #expect(r.status == 2, "\(r)")
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 3, "\(r)")
        #expect(lines.allSatisfy { $0.hasPrefix("batchctl: ") }, "\(r)")
        #expect(lines[0].contains("batch.conf:3") && lines[0].contains("did you mean \"pattern\""), "\(r)")
        #expect(lines[1].contains("batch.conf:4") && lines[1].contains("timeout"), "\(r)")
    }

    @Test func helpExits0OnStdout() throws {
        let r = try batchctl(["list", "--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("USAGE: batchctl list"))
        #expect(r.out.contains("--state STATE"))
    }

    @Test(arguments: [["list"], ["status", "01KMX6ZQ8Z0000000000000000"], ["stats"], ["workers"], ["breakers"],
                      ["schedules"], ["events"], ["logs", "01KMX6ZQ8Z0000000000000000"], ["trigger", "noop"],
                      ["schedule", "pause", "x"], ["cancel", "01KMX6ZQ8Z0000000000000000"]])
    func redisDownExits69(args: [String]) throws {
        let port = freeTCPPort()
        let r = try batchctl(["--redis", "redis://127.0.0.1:\(port)/0"] + args)
        #expect(r.status == 69, "\(r)")
        #expect(r.err.contains("cannot reach Redis at redis://127.0.0.1:\(port)/0"), "\(r)")
        #expect(r.err.contains("start redis-server or pass --redis URL"), "\(r)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r)")
    }

    @Test func noLiveGatewayExits69() throws {
        let server = try RedisServer.shared
        let ns = RedisServer.uniqueNamespace()
        for args in [["trigger", "noop"], ["cancel", "01KMX6ZQ8Z0000000000000000"], ["retry", "01KMX6ZQ8Z0000000000000000"]] {
            let r = try batchctl(["--redis", server.url, "--namespace", ns] + args)
            #expect(r.status == 69, "\(r)")
            #expect(r.err == "batchctl: no live gateway in Redis \(server.url) namespace \(ns); start batch-gateway or pass --gateway URL\n")
        }
    }

    @Test func gatewayRefusingConnectionsExits69() throws {
        let server = try RedisServer.shared
        let port = freeTCPPort()
        let r = try batchctl(["--redis", server.url, "--gateway", "http://127.0.0.1:\(port)", "trigger", "noop"])
        #expect(r.status == 69, "\(r)")
        #expect(r.err.contains("cannot connect to the gateway at http://127.0.0.1:\(port) (connection refused)"), "\(r)")
        // The environment names the gateway too.
        let e = try batchctl(["--redis", server.url, "trigger", "noop"], environment: ["BATCH_GATEWAY_URL": "http://127.0.0.1:\(port)"])
        #expect(e.status == 69, "\(e)")
    }

    @Test func unreadableTokenFileExits1() throws {
        let server = try RedisServer.shared
        let r = try batchctl(["--redis", server.url, "--gateway", "http://127.0.0.1:1", "--token-file", "/nonexistent/token",
                              "trigger", "noop"])
        #expect(r.status == 1, "\(r)")
        #expect(r.err.contains("cannot read the token file /nonexistent/token"), "\(r)")
    }

    @Test func scheduleNextNeedsNoRedis() throws {
        let r = try batchctl(["--redis", "redis://127.0.0.1:1/0", "schedule", "next", "0 30 2 * * *", "--zone", "America/New_York",
                              "--from", "2026-03-07T12:00:00", "--count", "3"])
        #expect(r.status == 0, "\(r)")
        // 02:30 does not exist on 2026-03-08 in New York: it fires at the next existing instant.
        #expect(r.out == "2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00\n2026-03-10T02:30:00-04:00\n")
        let j = try batchctl(["schedule", "next", "@daily", "--zone", "UTC", "--from", "2026-11-24T10:00:00Z", "-c", "2", "--json"])
        #expect(j.out == #"{"expression":"@daily","fires":["2026-11-25T00:00:00Z","2026-11-26T00:00:00Z"],"zone":"UTC"}"# + "\n")
    }
}
