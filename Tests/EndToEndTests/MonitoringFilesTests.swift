import Foundation
import Testing
import TestSupport

/// The alert rules and the dashboard in etc/: valid for their tools, and every metric they
/// use is one the daemons document (a renamed family would silently leave a panel empty).
@Suite struct MonitoringFilesTests {
    static let root = ObservabilityTests.packageRoot

    /// Every `batch_*` family named in the daemons' man pages.
    static func documentedFamilies() throws -> Set<String> {
        var out = Set<String>()
        for page in ["batch-gateway", "batch-worker", "batch-scheduler"] {
            let man = try String(contentsOfFile: root + "/man/\(page).8", encoding: .utf8)
            out.formUnion(man.matches(of: /batch_[a-z0-9_]*[a-z0-9]/).map { String($0.output) })
        }
        return out
    }

    /// The families an expression uses (histogram series named by their family).
    static func families(in expr: String) -> Set<String> {
        Set(expr.matches(of: /batch_[a-z0-9_]*[a-z0-9]/).map { m in
            var name = String(m.output)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
            return name
        })
    }

    @Test func alertRulesPassPromtoolAndUseDocumentedMetrics() throws {
        let path = Self.root + "/etc/prometheus/batch-alerts.yml"
        let p = try ChildProcess(executable: ObservabilityTests.promtool, arguments: ["check", "rules", path])
        let t = p.wait(timeout: .seconds(60))
        #expect(t == .exited(0), "promtool check rules \(path): \(p.standardOutput)\(p.standardError)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for alert in ["BatchBreakerOpen", "BatchWorkerLost", "BatchQueueAgeHigh", "BatchScheduleMissed", "BatchJobFailureRateHigh"] {
            #expect(text.contains("alert: \(alert)\n"), "no \(alert) rule")
        }
        let unknown = Self.families(in: text).subtracting(try Self.documentedFamilies())
        #expect(unknown.isEmpty, "the rules use metrics no man page lists: \(unknown.sorted())")
    }

    @Test func dashboardIsJSONAndUsesDocumentedMetrics() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/etc/grafana/batch-dashboard.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let panels = object?["panels"] as? [[String: Any]] ?? []
        #expect(panels.count >= 10)
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs.count >= panels.count)
        let used = exprs.reduce(into: Set<String>()) { $0.formUnion(Self.families(in: $1)) }
        let unknown = used.subtracting(try Self.documentedFamilies())
        #expect(unknown.isEmpty, "the dashboard uses metrics no man page lists: \(unknown.sorted())")
    }
}
