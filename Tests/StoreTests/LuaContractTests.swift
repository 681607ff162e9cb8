import BatchCore
import Foundation
import Redis
@testable import Store
import Testing

/// What Swift and the Lua scripts share is declared once, in Swift: no Lua source spells
/// a key or a hash field, it names them through the generated tables. The sources are
/// read from the repository, so a script added later is held to the same rule.
struct LuaContractTests {
    /// One line of Lua in the scripts' Swift files, with where it is.
    struct LuaLine: CustomStringConvertible, Sendable {
        let file: String
        let number: Int
        let text: String
        var description: String { "\(file):\(number): \(text.trimmingCharacters(in: .whitespaces))" }
    }

    static let scriptsFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Store/Scripts")

    /// Lines inside the multi-line string literals (the Lua) of every file of
    /// Sources/Store/Scripts, without their Lua comments.
    static func luaLines() throws -> [LuaLine] {
        let files = try FileManager.default.contentsOfDirectory(atPath: scriptsFolder.path).filter { $0.hasSuffix(".swift") }.sorted()
        var out: [LuaLine] = []
        for file in files {
            let text = try String(contentsOf: scriptsFolder.appendingPathComponent(file), encoding: .utf8)
            var inside = false
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if inside {
                    if trimmed.hasPrefix("\"\"\"") { inside = false; continue }
                    let code = line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line)
                    out.append(LuaLine(file: file, number: i + 1, text: code))
                } else if trimmed.hasSuffix("\"\"\"") || trimmed.hasSuffix("#\"\"\"") {
                    inside = !trimmed.hasPrefix("\"\"\"")
                }
            }
        }
        return out
    }

    /// The quoted string literals of a line of Lua.
    static func literals(_ line: String) -> [String] {
        var out: [String] = []
        var quote: Character?
        var current = ""
        for c in line {
            if let q = quote {
                if c == q { out.append(current); current = ""; quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
            }
        }
        return out
    }

    @Test func theScriptsAreFoundAndRead() throws {
        let lines = try Self.luaLines()
        #expect(lines.count > 500)
        #expect(lines.contains { $0.text.contains("K.exec(id)") })
    }

    @Test func noLuaSourceSpellsAKey() throws {
        let names = Keys.Name.all
        for line in try Self.luaLines() {
            #expect(!line.text.contains("P .."), "a key built from the prefix outside the K table: \(line)")
            for literal in Self.literals(line.text) {
                let key = names.first { $0.head.hasSuffix(":") ? literal.hasPrefix($0.head) : literal == $0.head }
                #expect(key == nil, "the key '\(literal)' spelled in Lua (use K.\(key?.lua ?? "")): \(line)")
            }
        }
    }

    @Test func noLuaSourceSpellsAFieldAStateAReasonOrAnEventKind() throws {
        let spelled: [(String, Set<String>)] = [
            ("F", Set(Field.allCases.map(\.rawValue))), ("EF", Set(EventField.allCases.map(\.rawValue))),
            ("S", Set(ExecutionState.allCases.map(\.rawValue))), ("E", Set(EventKind.allCases.map(\.rawValue))),
            ("R", Set(FailureReason.allCases.map(\.rawValue))), ("D", Set(DaemonField.allCases.map(\.rawValue))),
            ("RF", Set(RateField.allCases.map(\.rawValue))),
        ]
        for line in try Self.luaLines() {
            for literal in Self.literals(line.text) {
                let table = spelled.first { $0.1.contains(literal) }?.0
                #expect(table == nil, "'\(literal)' spelled in Lua (use \(table ?? "").<name>): \(line)")
            }
        }
    }

    @Test func namesOfTheContractsBecomeTheirValuesWhenAScriptIsBuilt() {
        #expect(Lua.constants(in: "HMGET h F.maxAttempts F.idempotencyKey EF.type E.requeued S.timedOut R.workerLost x.F.y F_z")
                == "HMGET h 'max_attempts' 'idem' 'type' 'requeued' 'timed_out' 'worker_lost' x.F.y F_z")
        #expect(Lua.terminal.source == "local TERMINAL = { ['succeeded'] = true, ['failed'] = true, ['timed_out'] = true, ['cancelled'] = true }\n\n")
        #expect(Lua.leased.source == "local LEASED = { ['dispatched'] = true, ['running'] = true, ['cancelling'] = true }\n\n")
    }

    /// Refusals are numbers the scripts return and Swift maps to errors: neither side spells one.
    @Test func noLuaSourceSpellsARefusal() throws {
        #expect(Lua.constants(in: "return {C.staleAttempt, n}") == "return {-409, n}")
        #expect(Lua.constants(in: "{ [H.exitCode] = 1, [H.at] = now }") == "{ ['exit_code'] = 1, ['at'] = now }")
        for line in try Self.luaLines() {
            #expect(!line.text.contains("return {-"), "a refusal spelled as a number (use C.<name>): \(line)")
        }
    }

    /// A script passes an execution's new state as the kind of its event (`event(id, new, new)`):
    /// every state a transition leads to is also an event kind. (`scheduled` is entered only
    /// at creation, by a `created` event.)
    @Test func everyStateATransitionLeadsToIsAlsoAnEventKind() {
        let reached = Set(ExecutionState.allCases.flatMap { s in
            TransitionEvent.allCases.compactMap { e -> ExecutionState? in
                if case .moved(let to) = s.apply(e) { return to } else { return nil }
            }
        })
        #expect(!reached.contains(.scheduled))
        for state in reached { #expect(EventKind(rawValue: state.rawValue) != nil, "\(state)") }
    }

    @Test func theBuiltScriptsNameNothingUndeclared() {
        for script in [Lua.create, Lua.claim, Lua.start, Lua.renew, Lua.report, Lua.finish, Lua.dispatchFailed, Lua.requeue,
                       Lua.promote, Lua.recover, Lua.releaseWorker, Lua.cancel, Lua.trim, Lua.list, Lua.heartbeat,
                       Lua.liveDaemons, Lua.leader] {
            for marker in ["F.", "D.", "RF.", "EF.", "E.", "S.", "R.", "A.", "C.", "H.", "J."] {
                #expect(!script.contains(" " + marker) && !script.contains("(" + marker) && !script.contains("{" + marker))
            }
        }
    }

    @Test func anItemsArgumentsAreReadWhereSwiftPutsThem() {
        #expect(Lua.arguments(FinishArgument.self, in: "A.id, A.attempt, A.error; 4 + A_SIZE * i")
                == "ARGV[b], ARGV[b + 1], ARGV[b + 10]; 4 + 11 * i")
        var item = ScriptItem<FinishArgument>()
        item[.error] = "boom"
        item[.attempt] = 2
        #expect(item.values.map(\.redisBytes) == ["", "2", "", "", "", "", "", "", "", "", "boom"].map { Array($0.utf8) })
    }

    /// Scripts read their own arguments by name (`A.<name>`), never by place: only the two
    /// every script takes (prefix, events bound) and the item count of grouped scripts are.
    @Test func noScriptArgumentIsReadByItsPlace() throws {
        for line in try Self.luaLines() {
            var rest = Substring(line.text)
            while let r = rest.range(of: "ARGV[") {
                rest = rest[r.upperBound...]
                let place = rest.prefix { $0 != "]" }
                #expect(["1", "2", "3", "i", "i + 1", "first + step * i"].contains(place),
                        "an argument read by its place (declare it in the script's arguments enum): \(line)")
            }
        }
    }

    @Test func aScriptOfOneCallReadsItsArgumentsAfterTheTwoEveryScriptTakes() {
        #expect(Lua.callArguments(ReportArgument.self, in: "A.id A.logLines unpack(ARGV, A_REST)")
                == "ARGV[3] ARGV[6] unpack(ARGV, 7)")
    }

    @Test func theKeyTableIsMadeFromKeysAndHoldsOnlyWhatTheScriptNames() {
        let table = Lua.keyTable(for: "redis.call('ZADD', K.leases, 1, id); K.exec(id); K.fire(s, ms); K.workerJobs(w)")
        #expect(table == """
            local K = {}
            do local p = P .. 'exec:'; K.exec = function(id) return p .. id end end
            K.leases = P .. 'leases'
            do local p = P .. 'worker:'; K.workerJobs = function(id) return p .. id .. ':jobs' end end
            do local p = P .. 'fire:'; K.fire = function(schedule, ms) return p .. schedule .. ':' .. ms end end


            """)
        #expect(Lua.keyTable(for: "return 1") == "")
    }

    @Test func swiftSpellsEveryKeyAsBefore() {
        let k = Keys(namespace: "ns")
        #expect(k.exec("e1") == "batch:{ns}:exec:e1")
        #expect(k.queue(5) == "batch:{ns}:queue:5")
        #expect(k.byState("queued") == "batch:{ns}:by-state:queued")
        #expect(k.jobRunning == "batch:{ns}:job-running")
        #expect(k.workerJobs("w1") == "batch:{ns}:worker:w1:jobs")
        #expect(k.daemonsSeen == "batch:{ns}:daemons:seen")
        #expect(k.fire("nightly", 1_700_000_000_000) == "batch:{ns}:fire:nightly:1700000000000")
        #expect(k.idempotency("a:b") == "batch:{ns}:idem:a:b")
    }
}
