import Foundation
import Terminal
import Testing
@testable import Console

/// The man page and the README list every key the views' table binds, so a new key
/// cannot reach the help screen without reaching the documentation too.
struct KeyDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// How the man page's KEYS section writes a key: `Ic Up`, `Ic Ctrl-B`, `Ic \&?`.
    static func manName(_ key: Key) -> String {
        switch key {
        case .up: return "Up"
        case .down: return "Down"
        case .char("?"): return "\\&?"
        default: return key.helpName
        }
    }

    @Test func everyBoundKeyIsInTheManPagesKeysSection() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("man/batchtop.1"), encoding: .utf8)
        let start = try #require(page.range(of: ".Sh KEYS"))
        let end = try #require(page.range(of: ".Sh ENVIRONMENT"))
        let keys = page[start.upperBound..<end.lowerBound]
        for binding in KeyBindings.main {
            for key in binding.keys {
                let name = Self.manName(key)
                let named = keys.contains("Ic \(name)\n") || keys.contains("Ic \(name) ")
                // 1 to 4 are written as a range.
                let inRange = "1234".contains(name) && keys.contains("Ic 1 No \\(en Ic 4")
                #expect(named || inRange, "man/batchtop.1 KEYS lacks \(name) (\(binding.help))")
            }
        }
    }

    @Test func everyBoundKeyIsInTheReadmesKeyTable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "### batchtop keys"))
        let section = String(readme[start.upperBound...]).components(separatedBy: "\n### ")[0]
        let table = section.split(separator: "\n").filter { $0.hasPrefix("|") }.joined(separator: "\n")
        for binding in KeyBindings.main {
            for key in binding.keys {
                let name = key.helpName
                let inRange = "1234".contains(name) && table.contains("`1`–`4`")
                #expect(table.contains("`\(name)`") || inRange, "the README's batchtop key table lacks \(name) (\(binding.help))")
            }
        }
    }
}
