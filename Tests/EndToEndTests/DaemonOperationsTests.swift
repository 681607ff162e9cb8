import BatchCore
import Foundation
import Glibc
import Redis
import Testing
import TestSupport

/// What an operator does to the built daemons under systemd, done to the product binaries
/// (a test process links all of Foundation and would hide what a daemon lacks):
/// `--check-config` finds what start refuses, zones load in every daemon, SIGHUP reloads.
@Suite(.serialized, .blocking) struct DaemonOperationsTests {
    static let daemons = ["batch-gateway", "batch-worker", "batch-scheduler"]

    /// Runs `program --config FILE --check-config` on `config` (files under `extra` beside it).
    func checkConfig(_ program: String, _ config: String, extra: [String: String] = [:],
                     arguments: [String] = []) throws -> (code: Int32?, output: String) {
        let dir = try makeTemporaryDirectory("batch-check")
        defer { removeTree(dir) }
        for (name, text) in extra {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try config.replacingOccurrences(of: "@DIR@", with: dir).write(toFile: dir + "/batch.conf", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("BATCH_") { env[k] = nil }
        let p = try ChildProcess(executable: try BuiltProducts.path(program),
                                 arguments: ["--config", dir + "/batch.conf", "--check-config"]
                                    + (arguments.contains("--listen") ? [] : ["--listen", "127.0.0.1:\(freeTCPPort())"]) + arguments,
                                 environment: env)
        let t = p.wait(timeout: .seconds(30))
        _ = p.waitForOutputEnd(timeout: .seconds(10))
        guard case .exited(let code) = t else { return (nil, "\(String(describing: t))") }
        return (code, p.standardOutput + p.standardError)
    }

    static let zonedConfig = """
        [job "report"]
        command = /bin/echo {date}
        param.date = required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$
        [schedule "seoul"]
        job = report
        cron = 0 0 2 * * *
        zone = Asia/Seoul
        param.date = {fire-date}
        [schedule "berlin"]
        job = report
        cron = 0 30 1 * * MON-FRI
        zone = Europe/Berlin
        param.date = {fire-date}
        [schedule "utc"]
        job = report
        fixed-rate = 1h
        zone = UTC
        param.date = {fire-date}
        """

    @Test(arguments: daemons + ["batchctl", "batchtop"])
    func everyProgramPrintsItsVersion(_ program: String) throws {
        let p = try ChildProcess(executable: try BuiltProducts.path(program), arguments: ["--version"])
        #expect(p.wait(timeout: .seconds(20)) == .exited(0), "\(p.standardError)")
        _ = p.waitForOutputEnd(timeout: .seconds(5))
        #expect(p.standardOutput == "\(program) \(batchVersion)\n", "\(p.standardOutput)\(p.standardError)")
    }

    @Test(arguments: daemons)
    func everyDaemonChecksAConfigurationWithZones(_ program: String) throws {
        let r = try checkConfig(program, Self.zonedConfig)
        #expect(r.code == 0, "\(program) --check-config: \(r.output)")
        #expect(r.output.contains("configuration OK"), "\(r.output)")
    }

    @Test(arguments: daemons)
    func anUnknownZoneIsRefusedWithItsFileAndLine(_ program: String) throws {
        let r = try checkConfig(program, Self.zonedConfig.replacingOccurrences(of: "zone = Europe/Berlin", with: "zone = Europe/Berlim"))
        #expect(r.code == 78, "\(r.output)")
        #expect(r.output.contains("batch.conf:12: invalid \"zone\"") && r.output.contains("Europe/Berlim"), "\(r.output)")
    }

    @Test func aWorkerWithNoJobTypesIsRefusedByTheCheckAsAtStart() throws {
        let r = try checkConfig("batch-worker", "[log]\nlevel = info\n")
        #expect(r.code == 78, "\(r.output)")
        #expect(r.output.contains("no job types to serve"), "\(r.output)")
        // The gateway and scheduler need no job types.
        #expect(try checkConfig("batch-gateway", "[log]\nlevel = info\n").code == 0)
    }

    @Test func aListenAddressTheHostLacksIsRefusedByTheCheck() throws {
        // 192.0.2.0/24 is reserved for documentation: no host has it, so bind(2) says EADDRNOTAVAIL.
        let r = try checkConfig("batch-gateway", "[gateway]\nlisten = 192.0.2.1:20200\n", arguments: ["--listen", "192.0.2.1:20200"])
        #expect(r.code == 78, "\(r.output)")
        #expect(r.output.contains("cannot listen on 192.0.2.1:20200") && r.output.contains("no such address"), "\(r.output)")
    }

    @Test func anIPv6ListenAddressIsRefusedByTheCheckNotAtStart() throws {
        let r = try checkConfig("batch-worker", Self.zonedConfig + "\n[worker]\nlisten = [::1]:20190\n")
        #expect(r.code == 78, "\(r.output)")
        #expect(r.output.contains("listens on IPv4 only"), "\(r.output)")
    }

    @Test func aSentinelURLPassesTheCheck() throws {
        let r = try checkConfig("batch-gateway", "[redis]\nurl = redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster/0\n")
        #expect(r.code == 0, "\(r.output)")
    }

    @Test func theRedisPasswordFileIsReadByTheCheckAndNeverPrinted() throws {
        let missing = try checkConfig("batch-scheduler", "[redis]\npassword-file = @DIR@/nope\n")
        #expect(missing.code == 78 && missing.output.contains("cannot read the Redis password file"), "\(missing.output)")
        let twoLines = try checkConfig("batch-scheduler", "[redis]\npassword-file = @DIR@/pw\n", extra: ["pw": "hunter2\nsecond\n"])
        #expect(twoLines.code == 78 && twoLines.output.contains("has 2 lines"), "\(twoLines.output)")
        #expect(!twoLines.output.contains("hunter2"))
        let good = try checkConfig("batch-scheduler", "[redis]\npassword-file = @DIR@/pw\n", extra: ["pw": "hunter2\n"])
        #expect(good.code == 0, "\(good.output)")
        let badURL = try checkConfig("batch-gateway", "[redis]\nurl = rediss://u:hunter2@h:1/0\n")
        #expect(badURL.code == 78 && !badURL.output.contains("hunter2"), "\(badURL.output)")
    }

    @Test func theDaemonsAuthenticateWithThePasswordFile() throws {
        let redis = try RedisServer.start(extraConfig: ["requirepass s3cret-pw"])
        defer { redis.stop() }
        let dir = try makeTemporaryDirectory("batch-pw")
        defer { removeTree(dir) }
        try "s3cret-pw\n".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        let ns = RedisServer.uniqueNamespace()
        let worker = try DaemonProcess("batch-worker", config: "[redis]\npassword-file = \(dir)/pw\n[job \"noop\"]\nkind = builtin\nbuiltin = noop\n",
                                       redisURL: redis.url, namespace: ns, id: "w-pw")
        defer { worker.stop() }
        try worker.waitReady()
        #expect(!worker.log.contains("s3cret-pw"))
    }

    @Test func aDaemonWaitingForRedisSaysWhyOnce() throws {
        let redis = try RedisServer.start(extraConfig: ["requirepass right-pw"])
        defer { redis.stop() }
        // No password at all, then a wrong one: each daemon says what Redis answered, once.
        for url in [redis.url, "redis://:wrong-pw@127.0.0.1:\(redis.port)/0"] {
            let worker = try DaemonProcess("batch-worker", config: "[job \"noop\"]\nkind = builtin\nbuiltin = noop\n", redisURL: url,
                                           namespace: RedisServer.uniqueNamespace())
            defer { worker.stop() }
            #expect(worker.process.waitForOutput(containing: "waiting for Redis", timeout: .seconds(20)), "\(worker.log)")
            let line = worker.log.split(separator: "\n").first { $0.contains("waiting for Redis") }.map(String.init) ?? ""
            #expect(line.contains("password") || line.contains("AUTH"), "\(line)")
            #expect(!worker.log.contains("wrong-pw") && !worker.log.contains("right-pw"))
            #expect(worker.process.isRunning)
        }
    }

    @Test func aWorkerRegistersItsJobTypesAgainSoonAfterRedisComesBackEmpty() throws {
        // No persistence: a restart loses every key, the job-type registration among them.
        let redis = try RedisServer.start(extraConfig: ["appendonly no", "save \"\""])
        defer { redis.stop() }
        let ns = RedisServer.uniqueNamespace()
        let worker = try DaemonProcess("batch-worker", config: "[job \"noop\"]\nkind = builtin\nbuiltin = noop\n", redisURL: redis.url,
                                       namespace: ns, id: "w-back")
        defer { worker.stop() }
        try worker.waitReady()
        let client = try RedisClient(url: redis.url)
        defer { client.close() }
        let key = "batch:{\(ns)}:worker:w-back:jobs"
        func registered() -> Bool { ((try? client.send("HLEN", key))?.int ?? 0) > 0 }
        #expect(waitUntil(timeout: .seconds(10)) { registered() })
        redis.kill()
        // Down long enough for the worker to fail a registration, well under its 5 s re-registration.
        #expect(worker.process.waitForOutput(containing: "heartbeat failed", timeout: .seconds(10)), "\(worker.log)")
        try redis.restart()
        let back = ContinuousClock.now
        #expect(waitUntil(timeout: .seconds(10)) { registered() })
        let took = ContinuousClock.now - back
        #expect(took < .seconds(3), "job types registered again only \(took) after Redis came back")
    }

    // MARK: Reload

    @Test func sighupMakesAWorkerServeJobTypesAddedChangedAndRemovedAndRefusesABrokenFile() throws {
        let redis = try RedisServer.shared
        let ns = RedisServer.uniqueNamespace()
        let worker = try reloadableWorker(id: "w-reload", namespace: ns, jobs: ["a.conf": "[job \"a\"]\nkind = builtin\nbuiltin = noop\n"])
        defer { worker.stop() }
        try worker.waitReady()
        let client = try RedisClient(url: redis.url)
        defer { client.close() }
        let key = "batch:{\(ns)}:worker:w-reload:jobs"
        func served() -> Set<String> {
            Set(((try? client.send("HKEYS", key))?.array ?? []).compactMap(\.string))
        }
        #expect(waitUntil(timeout: .seconds(10)) { served() == ["a"] }, "\(served())")

        try "[job \"b\"]\nkind = builtin\nbuiltin = sleep\nparam.seconds = int 0..5, default 0\n"
            .write(toFile: worker.directory + "/jobs.d/b.conf", atomically: true, encoding: .utf8)
        worker.process.signal(SIGHUP)
        #expect(waitUntil(timeout: .seconds(10)) { served() == ["a", "b"] }, "\(served())\n\(worker.log)")

        try FileManager.default.removeItem(atPath: worker.directory + "/jobs.d/a.conf")
        worker.process.signal(SIGHUP)
        #expect(waitUntil(timeout: .seconds(10)) { served() == ["b"] }, "\(served())\n\(worker.log)")

        // A file that no longer parses: the reload is refused with its reason, b is still served.
        try "[job \"c\"]\nkind = builtin\nbuiltin = noop\ntimeout = soon\n".write(toFile: worker.directory + "/jobs.d/c.conf", atomically: true, encoding: .utf8)
        worker.process.signal(SIGHUP)
        #expect(worker.process.waitForOutput(containing: "reload refused", timeout: .seconds(10)), "\(worker.log)")
        #expect(worker.log.contains("c.conf:4"), "\(worker.log)")
        #expect(served() == ["b"])
        #expect(worker.process.isRunning)
    }

    @Test func sighupMakesAGatewayTakeANewTokenAndLogLevel() throws {
        let redis = try RedisServer.shared
        let ns = RedisServer.uniqueNamespace()
        let gateway = try DaemonProcess("batch-gateway", config: "[http]\ntoken-file = @DIR@/token\n", redisURL: redis.url, namespace: ns,
                                        setUp: { dir in try "first\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8) })
        defer { gateway.stop() }
        try gateway.waitReady()
        let http = HTTPProbe(port: gateway.port)
        let path = "/api/orchestration/executions/01JAAAAAAAAAAAAAAAAAAAAAAA/cancel"
        #expect(try http.post(path, token: "first") != 401)
        #expect(try http.post(path, token: "second") == 401)

        try "second\n".write(toFile: gateway.directory + "/token", atomically: true, encoding: .utf8)
        try "[http]\ntoken-file = \(gateway.directory)/token\n[log]\nlevel = debug\n".write(toFile: gateway.directory + "/batch.conf", atomically: true, encoding: .utf8)
        gateway.process.signal(SIGHUP)
        #expect(gateway.process.waitForOutput(containing: "configuration reloaded", timeout: .seconds(10)), "\(gateway.log)")
        #expect(waitUntil(timeout: .seconds(5)) { (try? http.post(path, token: "second")) != 401 })
        #expect(try http.post(path, token: "first") == 401)
        #expect(gateway.log.contains("log_level=debug"), "\(gateway.log)")
        #expect(gateway.process.isRunning)
    }

    // MARK: Logs

    @Test func logFormatJSONWritesOneObjectPerLine() throws {
        let redis = try RedisServer.shared
        let worker = try DaemonProcess("batch-worker", config: "[job \"noop\"]\nkind = builtin\nbuiltin = noop\n", redisURL: redis.url,
                                       namespace: RedisServer.uniqueNamespace(), environment: ["BATCH_LOG_FORMAT": "json"])
        defer { worker.stop() }
        #expect(worker.process.waitForOutput(containing: #""msg":"ready""#, timeout: .seconds(20)), "\(worker.log)")
        let lines = worker.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 3)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["level"] != nil && object?["logger"] == "worker" && object?["msg"] != nil && object?["time"] != nil,
                    "not a JSON log line: \(line)")
        }
    }

    @Test func aRedisOutageIsLoggedAtABoundedRate() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let gateway = try DaemonProcess("batch-gateway", config: "[log]\nlevel = info\n", redisURL: redis.url,
                                        namespace: RedisServer.uniqueNamespace())
        defer { gateway.stop() }
        try gateway.waitReady()
        let before = gateway.log.split(separator: "\n").count
        redis.stop()
        // Each of the gateway's loops meets the outage several times a second; watch four seconds of it.
        let clock = ContinuousClock()
        let start = clock.now
        _ = waitUntil(timeout: .seconds(4)) { clock.now - start >= .seconds(4) && gateway.log.contains("heartbeat failed") }
        let lines = gateway.log.split(separator: "\n").dropFirst(before).filter { $0.contains(" warning ") }
        let messages = Dictionary(grouping: lines) { line in
            String(line.split(separator: ":", maxSplits: 3).dropFirst(3).first?.split(separator: " ").prefix(4).joined(separator: " ") ?? "")
        }
        #expect(!lines.isEmpty, "the outage was not logged at all:\n\(gateway.log)")
        #expect(messages.values.allSatisfy { $0.count <= 2 }, "repeated lines: \(messages.filter { $0.value.count > 2 }.mapValues(\.count))")
        #expect(gateway.process.isRunning)
    }

    // MARK: Probes

    @Test func livenessDoesNotDependOnRedisAndReadinessDoes() throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let ns = RedisServer.uniqueNamespace()
        let worker = try DaemonProcess("batch-worker", config: "[job \"noop\"]\nkind = builtin\nbuiltin = noop\n",
                                       redisURL: redis.url, namespace: ns, id: "w-probe")
        defer { worker.stop() }
        try worker.waitReady()
        let http = HTTPProbe(port: worker.port)
        #expect(waitUntil(timeout: .seconds(10)) { (try? http.get("/readyz")) == 200 })
        #expect(try http.get("/livez") == 200)
        redis.stop()
        #expect(waitUntil(timeout: .seconds(15)) { (try? http.get("/readyz")) == 503 })
        #expect(try http.get("/livez") == 200)
        #expect(worker.process.isRunning)
    }
}

/// Plain HTTP/1.1 requests over loopback that return the status code.
struct HTTPProbe {
    let port: Int

    func get(_ path: String) throws -> Int { try request("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }

    func post(_ path: String, token: String) throws -> Int {
        try request("POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    func request(_ text: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port)).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw TestSupportError("connect to \(port): errno \(errno)") }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buf = [UInt8](repeating: 0, count: 64)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 12, let code = Int(String(decoding: buf[9..<12], as: UTF8.self)) else {
            throw TestSupportError("no HTTP status from port \(port)")
        }
        return code
    }
}
