import BatchCore
import Redis

/// What the scripts share with Swift, generated from the Swift declarations so
/// that each is written once.
///
/// A script's source names a key only as `K.<name>` (`K.leases`, `K.exec(id)`): the
/// `K` table is made from `Keys.Name` at the top of each script, with the keys that
/// script uses, once per call (one concatenation each, as spelling them did).
///
/// Names of the other contracts are replaced by their quoted values when the script
/// is built, so they cost nothing when it runs: `F.<case>` a `Field` of the execution
/// hash, `D.<case>` a `DaemonField` of a daemon's hash, `EF.<case>` an `EventField` of a stream entry, `E.<case>` an `EventKind`,
/// `S.<case>` an `ExecutionState`, `R.<case>` a `FailureReason`, and `C.<case>` a
/// `Refusal` becomes its number, and `H.<case>` a key of an `AttemptRecord` in the history
/// (Swift case names:
/// `F.maxAttempts` is `'max_attempts'`).
extension Lua {
    /// `code` with `F.`, `D.`, `EF.`, `E.`, `R.` and `S.` names replaced by their quoted values,
    /// and `C.` names by their numbers.
    static func constants(in code: String) -> String {
        var s = substitute("F", in: code) { quoted(Field.self, $0, marker: "F") }
        s = substitute("EF", in: s) { quoted(EventField.self, $0, marker: "EF") }
        s = substitute("E", in: s) { quoted(EventKind.self, $0, marker: "E") }
        s = substitute("D", in: s) { quoted(DaemonField.self, $0, marker: "D") }
        s = substitute("R", in: s) { quoted(FailureReason.self, $0, marker: "R") }
        // A coding key describes itself as a coding key, not by its case name: its Lua name
        // is its raw value in camel case (`exit_code` is `H.exitCode`).
        s = substitute("H", in: s) { name in
            guard let key = AttemptRecord.CodingKeys.allCases.first(where: { camelCase($0.rawValue) == name }) else {
                preconditionFailure("Lua names H.\(name), which AttemptRecord.CodingKeys does not declare")
            }
            return "'" + key.rawValue + "'"
        }
        s = substitute("C", in: s) { name in
            guard let code = Refusal.allCases.first(where: { String(describing: $0) == name }) else {
                preconditionFailure("Lua names C.\(name), which Refusal does not declare")
            }
            return String(code.rawValue)
        }
        return substitute("S", in: s) { quoted(ExecutionState.self, $0, marker: "S") }
    }

    static func quoted<T: CaseIterable & RawRepresentable>(_ type: T.Type, _ name: String, marker: String) -> String
    where T.RawValue == String {
        guard let value = T.allCases.first(where: { String(describing: $0) == name }) else {
            preconditionFailure("Lua names \(marker).\(name), which \(T.self) does not declare")
        }
        return "'" + value.rawValue + "'"
    }

    /// `exit_code` → `exitCode`.
    static func camelCase(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }

    /// A Lua set of states: `{ ['queued'] = true, ... }`.
    static func set(_ states: [ExecutionState]) -> String {
        "{ " + states.map { "['\($0.rawValue)'] = true" }.joined(separator: ", ") + " }"
    }

    /// The `K` table for the keys `source` names: fixed keys as strings, the others
    /// as functions of their arguments.
    static func keyTable(for source: String) -> String {
        var used = Set<String>()
        _ = substitute("K", in: source) { name in
            used.insert(name)
            return "K." + name
        }
        if used.isEmpty { return "" }
        var out = "local K = {}\n"
        for name in Keys.Name.all where used.contains(name.lua) {
            if name.args.isEmpty {
                out += "K.\(name.lua) = P .. '\(name.head)'\n"
            } else {
                var value = "p"
                for (i, arg) in name.args.enumerated() { value += (i == 0 ? " .. " : " .. ':' .. ") + arg }
                if !name.tail.isEmpty { value += " .. '\(name.tail)'" }
                out += "do local p = P .. '\(name.head)'; K.\(name.lua) = function(\(name.args.joined(separator: ", "))) return \(value) end end\n"
            }
        }
        let unknown = used.subtracting(Keys.Name.all.map(\.lua))
        precondition(unknown.isEmpty, "Lua names keys that Keys.Name does not declare: \(unknown.sorted())")
        return out + "\n"
    }

    /// `source` with every `<marker>.<name>` (not part of a longer name) replaced
    /// by `replace(name)`.
    static func substitute(_ marker: String, in source: String, _ replace: (String) -> String) -> String {
        let bytes = Array(source.utf8)
        let m = Array(marker.utf8) + [UInt8(ascii: ".")]
        func isName(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + m.count < bytes.count, bytes[i ..< i + m.count].elementsEqual(m),
               i == 0 || !(isName(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: ".")) {
                var j = i + m.count
                while j < bytes.count, isName(bytes[j]) { j += 1 }
                if j > i + m.count {
                    out += Array(replace(String(decoding: bytes[i + m.count ..< j], as: UTF8.self)).utf8)
                    i = j
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A script's own arguments, declared once, in the order they are sent: Swift fills them
/// by name (`ScriptItem`), and the Lua reads `A.<case>`. For one item of a script that
/// takes many (`ARGV[3] = n`, then the items one after the other) that is `ARGV[b + position]`
/// for the item at offset `b`, and `A_SIZE` is an item's length; for a script of one call
/// it is `ARGV[3 + position]`, and `A_REST` is where a variable tail starts.
protocol ScriptArguments: RawRepresentable, CaseIterable where RawValue == Int {}

/// The arguments of one item, by name; sent in the order of `A`.
struct ScriptItem<A: ScriptArguments> {
    private(set) var values: [any RedisArgument]

    /// Every argument empty (`''`, the scripts' "none") until set.
    init() { values = Array(repeating: "", count: A.allCases.count) }

    subscript(_ argument: A) -> any RedisArgument {
        get { values[argument.rawValue] }
        set { values[argument.rawValue] = newValue }
    }
}

extension Lua {
    /// `body` with `A.<case>` replaced by the argument's place in the item at offset `b`,
    /// and `A_SIZE` by the number of arguments of an item.
    static func arguments<A: ScriptArguments>(_ type: A.Type, in body: String) -> String {
        arguments(A.self, in: body, item: true)
    }

    /// For a script of one call: `A.<case>` replaced by `ARGV[3 + position]` (after the two
    /// arguments every script takes), and `A_REST` by the place of the first argument after
    /// them (the variable tail some scripts take: pairs, lines).
    static func callArguments<A: ScriptArguments>(_ type: A.Type, in body: String) -> String {
        arguments(A.self, in: body, item: false)
    }

    private static func arguments<A: ScriptArguments>(_ type: A.Type, in body: String, item: Bool) -> String {
        let names = A.allCases.map { String(describing: $0) }
        precondition(A.allCases.enumerated().allSatisfy { $0.offset == $0.element.rawValue },
                     "\(A.self): raw values must be the positions 0, 1, 2, ...")
        let named = substitute("A", in: body) { name in
            guard let i = names.firstIndex(of: name) else { preconditionFailure("Lua names A.\(name), which \(A.self) does not declare") }
            if !item { return "ARGV[\(3 + i)]" }
            return i == 0 ? "ARGV[b]" : "ARGV[b + \(i)]"
        }
        return item ? named.replacing("A_SIZE", with: String(names.count)) : named.replacing("A_REST", with: String(3 + names.count))
    }
}
