import BatchCore
import FleetAPI
import Foundation
import Glibc
import HTTP
import Store
import Testing
import TestSupport

let commonJobs = """
    [job "exit"]
    command = /bin/sh -c 'echo hello; echo "::progress 40"; echo oops >&2; exit "$1"' sh {code}
    param.code = int 0..255, default 0
    max-attempts = 3
    retry-on-exit = 75
    backoff = 1s

    [job "noop"]
    kind = builtin
    builtin = noop

    [job "sleep"]
    kind = builtin
    builtin = sleep
    param.seconds = int 0..3600, default 1

    [job "fail"]
    kind = builtin
    builtin = fail
    param.code = int 1..255, default 1

    [job "echo"]
    kind = builtin
    builtin = echo
    param.a = string
    param.b = string

    [job "args"]
    command = /usr/bin/printf '[%s]\\n' {a} {b} {c} {d} {e} {f}
    param.a = string
    param.b = string
    param.c = string
    param.d = string, allow-control
    param.e = string
    param.f = string

    [job "strict"]
    command = /bin/echo {day}
    param.day = required, pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$

    [job "env"]
    command = /bin/sh -c 'printf "%s|%s|%s\\n" "$BATCH_EXECUTION_ID" "$BATCH_ATTEMPT" "$BATCH_PARAM_NAME"; cat; echo'
    param.name = string

    [job "tree"]
    command = /bin/sh -c 'sleep 60 & echo $!; sleep 60'

    [job "hold"]
    command = /bin/sh -c 'echo $$; exec sleep 60'
    concurrency = 1

    [job "missing"]
    command = /nonexistent/batch-no-such-program
    """

@Suite(.serialized, .blocking)
struct WorkerEndToEndTests {
    @Test func commandJobReportsExitCodeOutputAndProgress() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, answer) = try h.run(job: "exit", params: ["code": "3"])
        // The answer carries the state at that moment: on a loaded machine this short job may
        // already have ended when the worker answers.
        #expect(["running", "failed"].contains(answer.status))
        #expect(answer.attempt == 1)
        let rec = try #require(h.waitForTerminal(c.id))
        #expect(rec.state == .failed)
        #expect(rec.reason == "exit_code")
        #expect(rec.exitCode == 3)
        #expect(rec.progress == 40)
        let log = try h.store.logTail(c.id)
        #expect(log.contains("hello"))
        #expect(log.contains("oops"))
        #expect(!log.contains("::progress 40"))
    }

    @Test func successfulCommandSucceeds() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "exit", params: ["code": "0"])
        let rec = try #require(h.waitForTerminal(c.id))
        #expect(rec.state == .succeeded)
        #expect(rec.exitCode == 0)
    }

    @Test func exitCodeNamedInRetryOnExitGoesBackForRetry() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let c = try h.seed(job: "exit", params: ["code": "75"], maxAttempts: 3)
        #expect(try h.dispatch(c).status == 202)
        let rec = try #require(h.waitForState(c.id, [.retrying, .queued]))
        #expect(rec.exitCode == 75)
    }

    @Test func builtinsEndAsDeclared() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (noop, _) = try h.run(job: "noop")
        let (fail, _) = try h.run(job: "fail", params: ["code": "7"])
        let (echo, _) = try h.run(job: "echo", params: ["a": "x y", "b": "2"])
        #expect(h.waitForTerminal(noop.id)?.state == .succeeded)
        let f = try #require(h.waitForTerminal(fail.id))
        #expect(f.state == .failed)
        #expect(f.exitCode == 7)
        let e = try #require(h.waitForTerminal(echo.id))
        #expect(e.state == .succeeded)
        #expect(e.result == .object(["a": .string("x y"), "b": .string("2")]))
        #expect(try h.store.logTail(echo.id) == ["a=x y", "b=2"])
    }

    @Test func builtinSleepHonoursTimeout() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "sleep", params: ["seconds": "30"], timeoutSeconds: 1)
        #expect(h.waitForTerminal(c.id, timeout: .seconds(5))?.state == .timedOut)
    }

    @Test func hostileParametersArriveAsSingleLiteralArguments() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let marker = "/tmp/batch-worker-injected-\(getpid())"
        let values = ["a": "; rm -rf /", "b": "$(touch \(marker))", "c": "'single' \"double\" `id`",
                      "d": "two\nlines", "e": "--flag", "f": "-rf *"]
        let (c, _) = try h.run(job: "args", params: values)
        let rec = try #require(h.waitForTerminal(c.id))
        #expect(rec.state == .succeeded)
        let expected = ["a", "b", "c", "d", "e", "f"].map { "[\(values[$0]!)]" }.joined(separator: "\n")
        #expect(try h.store.logTail(c.id).joined(separator: "\n") == expected)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func parametersReachTheEnvironmentAndStdin() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "env", params: ["name": "a b;c"])
        #expect(h.waitForTerminal(c.id)?.state == .succeeded)
        let log = try h.store.logTail(c.id)
        #expect(log.first == "\(c.id)|1|a b;c")
        #expect(log.dropFirst().first == #"{"name":"a b;c"}"#)
    }

    @Test func undeclaredOrMismatchedParametersAreRefused() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let c = try h.seed(job: "strict", params: ["day": "2026-01-01"])
        for bad in [["day": "--help"], ["day": "2026-01-01", "extra": "x"], ["day": "2026-01-01; rm -rf /"]] {
            let r = try h.dispatch(c, params: bad)
            #expect(r.status == 422, "\(bad): \(r.text)")
        }
        #expect(try h.store.get(c.id)?.state == .dispatched)
        #expect(try h.dispatch(c).status == 202)
        #expect(h.waitForTerminal(c.id)?.state == .succeeded)
    }

    @Test func refusesUnknownTypeRepeatedAttemptAndFullJobType() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let c = try h.seed(job: "hold")
        #expect(try h.dispatch(c, job: "nope").status == 404)
        #expect(try h.dispatch(c).status == 202)
        #expect(try h.dispatch(c).status == 409)
        let second = try h.seed(job: "hold")
        #expect(try h.dispatch(second).status == 429)
        #expect(try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(c.id)/cancel").status == 202)
        #expect(h.waitForTerminal(c.id)?.state == .cancelled)
    }

    @Test func batchDispatchAnswersEachExactlyAsItsOwnCallWould() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let noops = try (0..<5).map { _ in try h.seed(job: "noop") }
        let hold = try h.seed(job: "hold"), secondHold = try h.seed(job: "hold")
        let missing = try h.seed(job: "missing")
        func item(_ c: ClaimedExecution, job: String? = nil, params: [String: String]? = nil) -> WorkerDispatchItem {
            WorkerDispatchItem(jobType: job ?? c.job, WorkerDispatchRequest(executionId: c.id, attempt: c.attempt, params: params ?? c.params,
                                                                             timeoutSeconds: c.timeoutSeconds, leaseMs: 10_000))
        }
        let items = noops.map { item($0) } + [
            item(hold), item(secondHold), item(missing),
            item(noops[0]),                                        // the same attempt twice in one call
            item(hold, job: "nope"),                               // a job type it does not serve
            item(secondHold, params: ["x": "1"]),                  // parameters the job type does not declare
        ]
        let r = try h.http.post("\(h.baseURL)/api/batch", json: WorkerDispatchBatch(dispatches: items))
        #expect(r.status == 200, "\(r.text)")
        let answers = try JSONDecoder().decode(WorkerDispatchBatchResponse.self, from: Data(r.body)).results
        #expect(answers.map(\.executionId) == items.map(\.executionId))
        #expect(answers.map(\.status) == [202, 202, 202, 202, 202, 202, 429, 202, 409, 404, 422], "\(answers)")
        #expect(answers[0].state == "running")
        #expect(answers[7].state == "failed")
        #expect(answers[6].detail?.isEmpty == false && answers[10].detail?.contains("x") == true)
        for c in noops { #expect(h.waitForTerminal(c.id)?.state == .succeeded) }
        #expect(h.waitForTerminal(missing.id)?.state == .failed)
        #expect(h.waitForState(hold.id, [.running]) != nil)
        #expect(try h.store.get(secondHold.id)?.state == .dispatched)
        #expect(try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(hold.id)/cancel").status == 202)
        #expect(h.waitForTerminal(hold.id)?.state == .cancelled)
        // More than a batch may hold: refused whole, nothing started.
        let tooMany = WorkerDispatchBatch(dispatches: Array(repeating: item(secondHold), count: 257))
        #expect(try h.http.post("\(h.baseURL)/api/batch", json: tooMany).status == 413)
    }

    @Test func spawnErrorFailsTheExecutionNotTheDispatch() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, answer) = try h.run(job: "missing")
        #expect(answer.status == "failed")
        let rec = try #require(h.waitForTerminal(c.id))
        #expect(rec.state == .failed)
        #expect(rec.reason == "spawn_error")
        #expect(rec.error?.contains("batch-no-such-program") == true)
    }

    @Test func timeoutKillsTheJobAndItsBackgroundGrandchild() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "tree", timeoutSeconds: 1)
        let grandchild = try #require(h.printedPID(c.id))
        #expect(isAlive(grandchild))
        let rec = try #require(h.waitForTerminal(c.id, timeout: .seconds(6)))
        #expect(rec.state == .timedOut)
        #expect(waitUntil(timeout: .seconds(2)) { !isAlive(grandchild) })
    }

    @Test func cancelEndsTheProcessGroupWithinOneSecond() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "tree")
        let grandchild = try #require(h.printedPID(c.id))
        let clock = ContinuousClock()
        let start = clock.now
        let r = try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(c.id)/cancel")
        #expect(r.status == 202)
        #expect(waitUntil(timeout: .seconds(1), poll: .milliseconds(10)) { !isAlive(grandchild) })
        #expect(clock.now - start < .seconds(1))
        #expect(h.waitForTerminal(c.id)?.state == .cancelled)
    }

    @Test func cancelSeenOnLeaseRenewalStopsTheJob() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "hold")
        let pid = try #require(h.printedPID(c.id))
        // The operator's cancel reaches Redis only; the worker must notice on its own.
        let cancelled = try h.store.cancel(id: c.id, user: "test", source: "test")
        #expect(cancelled.state == .cancelling)
        #expect(waitUntil(timeout: .seconds(2)) { !isAlive(pid) })
        #expect(h.waitForTerminal(c.id)?.state == .cancelled)
    }

    /// The gateway dispatches and cancels through WorkerAPI; the worker must answer each route
    /// itself (never the router's "no route" 404 or a 405).
    @Test func theWorkerServesEveryRouteWorkerAPIDeclares() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        for route in WorkerAPI.all + DaemonAPI.all {
            let r = try h.http.request(route.method, h.baseURL + route.path(every: ExecutionID.make()))
            #expect(r.status != 405 && !(r.status == 404 && r.text.contains("no route for")), "\(route): \(r.status) \(r.text)")
        }
    }

    @Test func getShowsTheAttemptAndUnknownIsNotFound() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "hold")
        _ = try #require(h.printedPID(c.id))
        let r = try h.http.get("\(h.baseURL)/api/batch/executions/\(c.id)")
        #expect(r.status == 200)
        let b = try JSONDecoder().decode(BatchResult.self, from: Data(r.body))
        #expect(b.status == "running")
        #expect(b.attempt == c.attempt)
        #expect(try h.http.get("\(h.baseURL)/api/batch/executions/\(ExecutionID.make())").status == 404)
        #expect(try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(ExecutionID.make())/cancel").status == 404)
        _ = try h.http.request("POST", "\(h.baseURL)/api/batch/executions/\(c.id)/cancel")
        #expect(h.waitForTerminal(c.id)?.state == .cancelled)
    }

    @Test func registersJobTypesAndSlots() throws {
        let h = try WorkerHarness(jobs: commonJobs, worker: "slots = 7")
        defer { h.stop() }
        var info: DaemonInfo?
        #expect(waitUntil(timeout: .seconds(5)) {
            info = (try? h.fleet.live())?.daemons.first { $0.id == h.workerID }
            return info != nil
        })
        #expect(info?.fields["slots"] == "7")
        #expect(info?.fields["running"] == "0")
        #expect(info?.fields["jobs"]?.split(separator: ",").contains("strict") == true)
        let jobs = try h.fleet.jobs(of: [h.workerID])[h.workerID] ?? [:]
        let strict = try JSONDecoder().decode(JobType.self, from: Data(try #require(jobs["strict"]).utf8))
        #expect(strict.param("day")?.required == true)
        #expect(strict.validate(["day": .string("x")]) != .success(["day": "x"]))
    }

    @Test func killedWorkerLeavesNoChildAlive() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "hold")
        let pid = try #require(h.printedPID(c.id))
        #expect(isAlive(pid))
        h.process.signal(SIGKILL)
        #expect(waitUntil(timeout: .seconds(2)) { !isAlive(pid) })
    }

    @Test func killedWorkerLeavesNoGrandchildAliveEither() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        // `tree` prints the pid of a background `sleep 60` in the job's process group.
        let (c, _) = try h.run(job: "tree")
        let pid = try #require(h.printedPID(c.id))
        #expect(isAlive(pid))
        h.process.signal(SIGKILL)
        // The worker's lease reaper sees the worker's pipe close and kills the whole group.
        #expect(waitUntil(timeout: .seconds(2)) { !isAlive(pid) }, "background process \(pid) outlived its worker")
    }

    @Test func sigtermDrainsAndHandsRunningAttemptsBack() throws {
        let h = try WorkerHarness(jobs: commonJobs)
        defer { h.stop() }
        let (c, _) = try h.run(job: "hold")
        let pid = try #require(h.printedPID(c.id))
        let (quick, _) = try h.run(job: "sleep", params: ["seconds": "0"])
        #expect(h.waitForTerminal(quick.id)?.state == .succeeded)
        h.process.signal(SIGTERM)
        let end = h.process.wait(timeout: .seconds(10))
        #expect(end == .exited(0), "stderr: \(h.stderrText)")
        #expect(!isAlive(pid))
        let rec = try #require(try h.store.get(c.id))
        #expect(rec.state == .queued)
        #expect(rec.attempt == c.attempt)
        #expect(rec.runs == 0)
        #expect(try h.fleet.live().daemons.allSatisfy { $0.id != h.workerID })
    }
}
