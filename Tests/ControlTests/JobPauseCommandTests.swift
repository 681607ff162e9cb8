import Foundation
import Testing
import TestSupport

/// `batchctl job pause|resume` through a gateway, and `stats` naming what is paused. (A job type
/// no test runs, so the shared fleet's other tests are not held up.)
@Suite(.serialized, .blocking) struct JobPauseCommandTests {
    @Test func pauseShowsInStatsAndResumeClearsIt() throws {
        let f = try ControlFleet.shared
        let p = try f.run(["job", "pause", "ghost-job"])
        #expect(p.status == 0 && p.out.contains("dispatch of ghost-job paused for every gateway"), "\(p)")
        #expect(try f.run(["job", "pause", "ghost-job"]).out.contains("was already paused"))
        let stats = try f.run(["stats"])
        #expect(stats.out.contains("paused      ghost-job (dispatch, by tester"), "\(stats)")
        let j = try f.run(["stats", "--json"])
        #expect(((j.jsonObject as? [String: Any])?["pausedJobs"] as? [[String: Any]])?.first?["job"] as? String == "ghost-job", "\(j)")
        let r = try f.run(["job", "resume", "ghost-job", "--json"])
        #expect(r.status == 0 && r.out.contains(#""changed":true"#) && r.out.contains(#""paused":false"#), "\(r)")
        #expect(!(try f.run(["stats"]).out.contains("ghost-job")))
        let bad = try f.run(["job", "pause", "no such"])
        #expect(bad.status == 1 && bad.err.contains("job type must be"), "\(bad)")
    }
}
