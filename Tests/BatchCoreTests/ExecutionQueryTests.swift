import BatchCore
import Testing

struct ExecutionQueryTests {
    let now: Int64 = 1_800_000_000_000

    @Test func wordsOfEachKindParse() throws {
        let q = try ExecutionQuery.parse("failed job:etl worker:w-1 lost since:1h until:30m", now: now)
        #expect(q == ExecutionQuery(state: .failed, job: "etl", worker: "w-1", since: now - 3_600_000,
                                    until: now - 1_800_000, text: ["lost"]))
    }

    @Test func stateWithReasonAndStateKey() throws {
        #expect(try ExecutionQuery.parse("failed:worker_lost", now: now) == ExecutionQuery(state: .failed, reason: "worker_lost"))
        #expect(try ExecutionQuery.parse("state:timed_out reason:signal", now: now) == ExecutionQuery(state: .timedOut, reason: "signal"))
        #expect(try ExecutionQuery.parse("RUNNING", now: now).state == .running)
    }

    @Test func timesAreISO8601WithOffset() throws {
        #expect(try ExecutionQuery.parse("since:2027-01-15T08:00:00Z", now: now).since == now)
        #expect(try ExecutionQuery.parse("since:1970-01-01T00:00:01Z", now: now).since == 1000)
        #expect(try ExecutionQuery.parse("until:1970-01-01T01:00:00+01:00", now: now).until == 0)
    }

    @Test func quotesKeepAPhraseAndOtherWordsAreText() throws {
        let q = try ExecutionQuery.parse(#"job:etl "Disk Full" http:500"#, now: now)
        #expect(q.text == ["disk full", "http:500"])
        #expect(ExecutionQuery.words(#"a "b c" d"#) == ["a", "b c", "d"])
        #expect(ExecutionQuery.isKeyWord("Job:etl") && ExecutionQuery.isQualifier("since:1h"))
        #expect(ExecutionQuery.isQualifier("failed:worker_lost") && !ExecutionQuery.isKeyWord("failed:worker_lost"))
        #expect(!ExecutionQuery.isQualifier("http:500") && !ExecutionQuery.isQualifier("lost"))
        #expect(try ExecutionQuery.parse("  ", now: now).isEmpty)
    }

    @Test func badWordsSayWhatIsWrong() {
        func problem(_ text: String) -> String? {
            do { _ = try ExecutionQuery.parse(text, now: now); return nil } catch { return error.description }
        }
        #expect(problem("since:yesterday")?.contains("yesterday is neither a duration") == true)
        #expect(problem("since:2026-12-08T02:00:00")?.contains("ISO 8601 time with its offset") == true)
        #expect(problem("job:")?.contains("job: needs a value") == true)
        #expect(problem("state:done")?.contains("no state done") == true)
        #expect(problem("failed running")?.contains("one at most") == true)
        #expect(problem("since:10m until:1h")?.contains("ends (until:) before it starts") == true)
        #expect(problem("failed failed:worker_lost") == nil)
    }

    @Test func matchingNeedsEveryWord() throws {
        let c = ExecutionQuery.Candidate(id: "01ABC", job: "etl", state: .failed, reason: "worker_lost",
                                         error: "Worker w-2 LOST during the run", worker: "w-2")
        #expect(try ExecutionQuery.parse("failed job:etl lost", now: now).matches(c))
        #expect(try ExecutionQuery.parse("failed:WORKER_LOST 01abc", now: now).matches(c))
        #expect(try ExecutionQuery.parse("worker:w-2 during", now: now).matches(c))
        #expect(try !ExecutionQuery.parse("succeeded", now: now).matches(c))
        #expect(try !ExecutionQuery.parse("job:etl2", now: now).matches(c))
        #expect(try !ExecutionQuery.parse("lost disk", now: now).matches(c))
        #expect(try !ExecutionQuery.parse("reason:signal", now: now).matches(c))
        let q = try ExecutionQuery.parse("since:1h until:10m", now: now)
        #expect(q.contains(time: now - 3_600_000) && q.contains(time: now - 600_000))
        #expect(!q.contains(time: now - 3_600_001) && !q.contains(time: now))
    }
}
