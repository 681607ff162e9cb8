import Foundation
@testable import Control
import BatchCore
import Testing

@Suite struct ManPageTests {
    static func allHelp(_ spec: CommandSpec<CommandHandler>, _ path: [String] = []) -> [String] {
        let c = spec.command(at: path)!
        return [spec.helpText(for: path)] + c.subcommands.flatMap { allHelp(spec, path + [$0.name]) }
    }

    @Test func everyOptionAndCommandOfHelpIsInTheManPage() throws {
        let man = try String(contentsOfFile: packageRoot + "/man/batchctl.1", encoding: .utf8)
            .replacingOccurrences(of: "\\-", with: "-")
            .replacingOccurrences(of: "Fl Fl ", with: "--")
        let spec = BatchctlSpec.spec
        var missing: Set<String> = []
        for help in Self.allHelp(spec) {
            for word in help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "[" || $0 == "]" })
            where word.hasPrefix("--") && word.count > 2 {
                let option = String(word.prefix { $0.isLetter || $0.isNumber || $0 == "-" })
                if !man.contains(option) { missing.insert(option) }
            }
        }
        // A command appears as `.Cm name`, or `.Cm parent name` in the synopsis.
        func check(_ c: CommandSpec<CommandHandler>, parent: String?) {
            for s in c.subcommands {
                let found = man.contains("Cm \(s.name)") || parent.map { man.contains("Cm \($0) \(s.name)") } == true
                if !found { missing.insert(((parent.map { $0 + " " }) ?? "") + s.name) }
                check(s, parent: s.name)
            }
        }
        check(spec, parent: nil)
        #expect(missing.isEmpty, "not in man/batchctl.1: \(missing.sorted())")
        for section in [".Sh EXIT STATUS", ".Sh ENVIRONMENT", ".Sh EXAMPLES", "NO_COLOR", "BATCH_TOKEN_FILE", "69"] {
            #expect(man.contains(section))
        }
    }

    /// The descriptions fit 80 columns (the USAGE line is the shared parser's, unwrapped).
    @Test func helpFitsEightyColumns() {
        for help in Self.allHelp(BatchctlSpec.spec) {
            #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("USAGE: ") }, "\(help)")
        }
    }
}
