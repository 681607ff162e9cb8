import BatchCore
import Redis

/// What the scripts share with Swift, generated from the Swift declarations so
/// that each is written once.
///
/// A script's source names a key only as `K.<name>` (`K.leases`, `K.exec(id)`): the
/// `K` table is made from `Keys.Name` at the top of each script, with the keys that
/// script uses, once per call (one concatenation each, as spelling them did).
///
/// The other contracts are named by Swift case and replaced when the script is
/// built, so they cost nothing when it runs:
///
///     F.<case>   Field, of the execution hash        F.maxAttempts → 'max_attempts'
///     D.<case>   DaemonField, of a daemon's hash
///     RF.<case>  RateField, of a job type's rate bucket
///     EF.<case>  EventField, of a stream entry
///     E.<case>   EventKind
///     S.<case>   ExecutionState
///     R.<case>   FailureReason
///     H.<case>   AttemptRecord.CodingKeys, of a history entry
///     C.<case>   Refusal, a script's refusal code   C.notFound → -404
///     A.<case>   the script's own arguments (see `ScriptArguments`)
extension Lua {
    /// `code` with the names of the table above (but `A.`) replaced: by quoted values, and
    /// `C.` names by their numbers. One pass over the code, with the tables made once
    /// (scripts are built when a daemon first calls them, some at start-up).
    static func constants(in code: String) -> String {
        substitute(in: code) { marker, name in
            guard let table = replacements[marker] else { return nil }
            guard let value = table[name] else { preconditionFailure("Lua names \(marker).\(name), which its Swift declaration does not declare") }
            return value
        }
    }

    /// Replacement of each name, by marker.
    static let replacements: [String: [String: String]] = {
        func quoted<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> [String: String] where T.RawValue == String {
            Dictionary(uniqueKeysWithValues: T.allCases.map { (String(describing: $0), "'" + $0.rawValue + "'") })
        }
        return [
            "F": quoted(Field.self), "EF": quoted(EventField.self), "E": quoted(EventKind.self), "D": quoted(DaemonField.self), "RF": quoted(RateField.self),
            "R": quoted(FailureReason.self), "S": quoted(ExecutionState.self),
            // A coding key describes itself as a coding key, not by its case name: its Lua name
            // is its raw value in camel case (`exit_code` is `H.exitCode`).
            "H": Dictionary(uniqueKeysWithValues: AttemptRecord.CodingKeys.allCases.map { (camelCase($0.rawValue), "'" + $0.rawValue + "'") }),
            "C": Dictionary(uniqueKeysWithValues: Refusal.allCases.map { (String(describing: $0), String($0.rawValue)) }),
        ]
    }()

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
        _ = substitute(in: source) { marker, name in
            if marker == "K" { used.insert(name) }
            return nil
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

    /// `source` with each `<marker>.<name>` (a marker being a name of one or two capitals,
    /// not part of a longer name) replaced by `replace(marker, name)`, or left when it is nil.
    static func substitute(in source: String, _ replace: (_ marker: String, _ name: String) -> String?) -> String {
        let bytes = Array(source.utf8)
        let dot = UInt8(ascii: ".")
        func isName(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard isName(b), i == 0 || !(isName(bytes[i - 1]) || bytes[i - 1] == dot) else {
                out.append(b)
                i += 1
                continue
            }
            var j = i + 1
            while j < bytes.count, isName(bytes[j]) { j += 1 }
            if j - i <= 2, b >= 0x41, b <= 0x5A, j + 1 < bytes.count, bytes[j] == dot, isName(bytes[j + 1]) {
                var k = j + 1
                while k < bytes.count, isName(bytes[k]) { k += 1 }
                let marker = String(decoding: bytes[i ..< j], as: UTF8.self)
                if let value = replace(marker, String(decoding: bytes[j + 1 ..< k], as: UTF8.self)) {
                    out += value.utf8
                    i = k
                    continue
                }
            }
            out += bytes[i ..< j]
            i = j
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
        let named = substitute(in: body) { marker, name in
            guard marker == "A" else { return nil }
            guard let i = names.firstIndex(of: name) else { preconditionFailure("Lua names A.\(name), which \(A.self) does not declare") }
            if !item { return "ARGV[\(3 + i)]" }
            return i == 0 ? "ARGV[b]" : "ARGV[b + \(i)]"
        }
        return item ? named.replacing("A_SIZE", with: String(names.count)) : named.replacing("A_REST", with: String(3 + names.count))
    }
}
