@testable import BatchCore
import Testing

struct ExecutionIDTests {
    @Test func idsFromTheSharedGeneratorAreUnique() {
        let ids = (0..<50_000).map { _ in ExecutionID.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy(ExecutionID.isValid))
    }
}
