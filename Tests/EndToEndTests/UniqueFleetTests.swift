import BatchCore
import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport

/// `unique` from a worker's configuration, through built workers and gateways: one active
/// execution per value, whichever gateway the requests reach, until it ends.
@Suite(.serialized, .blocking) struct UniqueFleetTests {
    @Test func eightRequestsThroughTwoGatewaysMakeOneExecutionUntilItEnds() throws {
        let c = try Cluster(gateways: 2, workers: 1, extra: """
            [job "once"]
            kind = builtin
            builtin = sleep
            param.seconds = int 0..60, default 5
            param.day = string
            unique = day
            """)
        defer { c.stop() }
        let answers = Mutex<[BatchExecutionResponse]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let r = try c.execute(#"{"jobType":"once","params":{"day":"mon"}}"#, at: c.gateways[i % 2])
                if r.status != 202 { throw TestSupportError("\(r.status) \(r.text)") }
                let a = try JSONDecoder().decode(BatchExecutionResponse.self, from: Data(r.body))
                answers.withLock { $0.append(a) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = answers.withLock { $0 }
        #expect(all.count == 8 && Set(all.map(\.executionId)).count == 1 && all.filter { !$0.duplicate }.count == 1, "\(all)")
        let id = try #require(all.first?.executionId)
        let other = try c.trigger(#"{"jobType":"once","params":{"day":"tue","seconds":0}}"#)
        #expect(other != id)
        #expect(try c.waitForTerminal([id], timeout: .seconds(30))[id]?.state == .succeeded)
        let next = try JSONDecoder().decode(BatchExecutionResponse.self,
                                            from: Data(try c.execute(#"{"jobType":"once","params":{"day":"mon","seconds":0}}"#).body))
        #expect(!next.duplicate && next.executionId != id)
    }
}
