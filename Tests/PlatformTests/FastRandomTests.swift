import Testing
@testable import Platform

struct FastRandomTests {
    @Test func drawsAreSpreadAndInstancesDiffer() {
        var a = FastRandom(), b = FastRandom()
        let first = (0..<4).map { _ in a.next() }
        #expect(first != (0..<4).map { _ in b.next() })
        // Every bit is set in about half of 20,000 draws, and values in 0..<10 are all about equally frequent.
        var ones = [Int](repeating: 0, count: 64)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 {
            let v = a.next()
            for bit in 0..<64 where v & (1 << UInt64(bit)) != 0 { ones[bit] += 1 }
            buckets[Int.random(in: 0..<10, using: &a)] += 1
        }
        #expect(ones.allSatisfy { (9_000...11_000).contains($0) }, "\(ones)")
        #expect(buckets.allSatisfy { (1_700...2_300).contains($0) }, "\(buckets)")
    }

    @Test func splitGeneratorsDrawSequencesOfTheirOwn() {
        var a = FastRandom.split(), b = FastRandom.split()
        let x = (0..<8).map { _ in a.next() }, y = (0..<8).map { _ in b.next() }
        #expect(x != y)
        #expect(Set(x + y).count == 16)
        let z = FastRandom.withShared { g in (0..<8).map { _ in g.next() } }
        #expect(Set(x + y + z).count == 24)
    }
}
