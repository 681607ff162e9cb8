import BatchCore
import Foundation
import Glibc
import HTTP
import Store
import Testing
import TestSupport

func residentKiB(_ pid: pid_t) -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

@Suite(.serialized, .blocking)
struct WorkerOutputTests {
    static let jobs = """
        [job "flood"]
        command = /bin/sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 104857600'

        [job "lines"]
        command = /bin/sh -c 'for i in 1 2 3; do echo "line $i"; done; echo err >&2'
        """

    @Test func jobPrinting100MBDoesNotGrowTheWorkersMemory() throws {
        let h = try WorkerHarness(jobs: Self.jobs, worker: "output-max-lines-per-second = 200")
        defer { h.stop() }
        // Warm up the paths a job takes, so the measure is of the flood only.
        let (warm, _) = try h.run(job: "lines")
        #expect(h.waitForTerminal(warm.id)?.state == .succeeded)
        let before = try #require(residentKiB(h.process.pid))
        let (c, _) = try h.run(job: "flood")
        let rec = try #require(h.waitForTerminal(c.id, timeout: .seconds(60)))
        #expect(rec.state == .succeeded)
        let after = try #require(residentKiB(h.process.pid))
        #expect(after - before < 8 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
        let metrics = try h.http.get("\(h.baseURL)/metrics").text
        let bytes = metrics.split(separator: "\n").first { $0.hasPrefix(#"batch_worker_output_bytes_total{job="flood"}"#) }
        #expect(bytes.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 104_857_600 } == true)
        #expect(metrics.contains(#"batch_worker_output_dropped_lines_total{job="flood"}"#))
        // The log keeps the bounded tail and says lines were dropped.
        let log = try h.store.logTail(c.id, lines: 2_000)
        #expect(log.count <= 1_000)
        #expect(log.contains { $0.contains("output lines dropped") })
    }

    @Test func outputAlsoGoesToTheLogFolder() throws {
        let folder = try makeTemporaryDirectory("batch-worker-logs")
        defer { removeTree(folder) }
        let h = try WorkerHarness(jobs: Self.jobs, worker: "log-dir = \(folder)")
        defer { h.stop() }
        let (c, _) = try h.run(job: "lines")
        #expect(h.waitForTerminal(c.id)?.state == .succeeded)
        let path = "\(folder)/\(c.id).\(c.attempt).log"
        var text = ""
        #expect(waitUntil(timeout: .seconds(5)) {
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.contains("[batch-worker] succeeded")
        })
        let lines = text.split(separator: "\n").map(String.init)
        #expect(Set(lines.prefix(4)) == ["line 1", "line 2", "line 3", "err"])
    }

    @Test func theLogFolderHoldsAProgramsWholeOutputBeyondTheOutputRate() throws {
        let folder = try makeTemporaryDirectory("batch-worker-logs")
        defer { removeTree(folder) }
        // 20 MB in 300,000 lines: Redis gets 200 lines a second of them, the file every byte.
        let h = try WorkerHarness(jobs: """
            [job "big"]
            command = /bin/sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456 | head -n 300000'
            """, worker: "log-dir = \(folder)\noutput-max-lines-per-second = 200")
        defer { h.stop() }
        let (c, _) = try h.run(job: "big")
        #expect(h.waitForTerminal(c.id, timeout: .seconds(60))?.state == .succeeded)
        let path = "\(folder)/\(c.id).\(c.attempt).log"
        var text = ""
        #expect(waitUntil(timeout: .seconds(10)) {
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.contains("[batch-worker] succeeded")
        })
        let lines = text.split(separator: "\n")
        #expect(lines.count == 300_001, "\(lines.count) lines in \(path)")
        #expect(lines.dropLast().allSatisfy { $0 == "0123456789012345678901234567890123456789012345678901234567890123456" })
        // Redis got the bounded tail, saying lines were dropped; the file has none of those notes.
        #expect(try h.store.logTail(c.id, lines: 2_000).contains { $0.contains("output lines dropped") })
        #expect(!text.contains("output lines dropped"))
    }

    @Test func metricsShowRunningJobsAndOutcomes() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (hold, _) = try h.run(job: "hold")
        _ = try #require(h.printedPID(hold.id))
        let (fail, _) = try h.run(job: "fail")
        #expect(h.waitForTerminal(fail.id)?.state == .failed)
        // The worker counts an execution after writing its end to Redis: seeing it ended there
        // does not mean the counters have moved yet.
        var m = ""
        _ = waitUntil(timeout: .seconds(15), poll: .milliseconds(50)) {
            m = (try? h.http.get("\(h.baseURL)/metrics").text) ?? ""
            return m.contains(#"batch_worker_executions_total{job="fail",outcome="failed"} 1"#)
                && m.contains(#"batch_worker_run_duration_seconds_count{job="fail",outcome="failed"} 1"#)
        }
        #expect(m.contains(#"batch_worker_running{job="hold"} 1"#))
        #expect(m.contains(#"batch_worker_executions_total{job="fail",outcome="failed"} 1"#))
        #expect(m.contains(#"batch_worker_dispatches_total{code="202"} 2"#))
        #expect(m.contains("batch_worker_slots 16"))
        #expect(m.contains(#"batch_worker_run_duration_seconds_count{job="fail",outcome="failed"} 1"#))
        _ = try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(hold.id)/cancel")
        #expect(h.waitForTerminal(hold.id)?.state == .cancelled)
    }
}

@Suite(.serialized, .blocking)
struct WorkerHTTPJobTests {
    @Test func httpJobSucceedsOn2xxAndFailsOtherwise() throws {
        let router = Router()
        router.add("POST", "/ok") { request in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/json"],
                         body: Array(#"{"got":"#.utf8) + request.body + Array(#","id":""#.utf8)
                            + Array((request.headers["X-Batch-Execution-Id"] ?? "").utf8) + Array(#""}"#.utf8))
        }
        router.add("POST", "/down") { _ in .text("maintenance", status: 503) }
        let port = freeTCPPort()
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port), router: router)
        try server.start()
        defer { server.shutdown(deadline: .seconds(1)) }
        let closed = freeTCPPort()
        let jobs = """
            [job "call"]
            kind = http
            url = http://127.0.0.1:\(port)/ok
            header.X-Test = yes
            param.market = required, enum KRW|USD

            [job "down"]
            kind = http
            url = http://127.0.0.1:\(port)/down

            [job "nowhere"]
            kind = http
            url = http://127.0.0.1:\(closed)/none
            """
        let h = try WorkerHarness(jobs: jobs)
        defer { h.stop() }
        let (ok, _) = try h.run(job: "call", params: ["market": "KRW"])
        let okRec = try #require(h.waitForTerminal(ok.id))
        #expect(okRec.state == .succeeded)
        #expect(okRec.result == .object(["status": .number(200),
                                         "body": .object(["got": .object(["market": .string("KRW")]), "id": .string(ok.id)])]))
        let (down, _) = try h.run(job: "down")
        let downRec = try #require(h.waitForTerminal(down.id))
        #expect(downRec.state == .failed)
        #expect(downRec.reason == "http_status")
        let (nowhere, _) = try h.run(job: "nowhere")
        let nowhereRec = try #require(h.waitForTerminal(nowhere.id))
        #expect(nowhereRec.state == .failed)
        #expect(nowhereRec.reason == "http_error")
    }
}
