import Testing
import TestSupport

/// batch-worker keeps libFoundation and ICU out of its address space (most of an idle
/// worker's memory): its modules import FoundationEssentials only.
@Suite(.blocking) struct WorkerLinkageTests {
    @Test func batchWorkerLinksNeitherFoundationNorICU() throws {
        let worker = try BuiltProducts.path("batch-worker")
        let ldd = try ChildProcess(executable: "/usr/bin/ldd", arguments: [worker])
        #expect(ldd.wait(timeout: .seconds(30)) == .exited(0), "ldd \(worker): \(ldd.standardError)")
        #expect(ldd.waitForOutputEnd(timeout: .seconds(30)))
        let libraries = ldd.standardOutput.split(separator: "\n").map { String($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") }
        #expect(libraries.contains { $0.hasPrefix("libFoundationEssentials") || $0.hasPrefix("libswiftCore") },
                "ldd shows no Swift library at all; is this the dynamic debug build?\n\(ldd.standardOutput)")
        let unwanted = libraries.filter {
            $0.hasPrefix("libFoundation.so") || $0.hasPrefix("libFoundationInternationalization")
                || $0.hasPrefix("lib_FoundationICU") || $0.hasPrefix("libFoundationNetworking")
        }
        #expect(unwanted.isEmpty, "batch-worker links \(unwanted): an 'import Foundation' crept into one of its modules")
    }
}
