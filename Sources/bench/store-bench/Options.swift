/// Command line of store-bench.
struct Options: Sendable {
    var url = "redis://127.0.0.1:6379/0"
    var lifecycles = 20_000
    var threads = 4
    /// Lifecycles per round trip in the grouped run (`--batch 1` skips it).
    var batch = 16
    /// Which lifecycle runs: shared, per-thread, grouped.
    var modes: Set<String> = ["shared", "per-thread", "grouped"]
    var memoryExecutions = 10_000
    var scaleExecutions = 1_000_000
    var repetitions = 200
    var phases: Set<String> = ["lifecycle", "scripts", "memory", "scale"]

    static let usage = """
        usage: store-bench --url redis://127.0.0.1:PORT/0 [--lifecycles N] [--threads N] [--batch N]
                           [--modes shared,per-thread,grouped]
                           [--memory N] [--scale N] [--reps N] [--only lifecycle,scripts,memory,scale]
        Runs against a PRIVATE Redis: it flushes the database between phases.
        """

    init(arguments: [String]) throws(BenchError) {
        var i = 1
        func value(_ name: String) throws(BenchError) -> String {
            guard i + 1 < arguments.count else { throw .usage("\(name) needs a value") }
            i += 1
            return arguments[i]
        }
        func number(_ name: String) throws(BenchError) -> Int {
            let v = try value(name)
            guard let n = Int(v), n > 0 else { throw .usage("\(name) wants a positive integer, got '\(v)'") }
            return n
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--url": url = try value(a)
            case "--lifecycles": lifecycles = try number(a)
            case "--threads": threads = try number(a)
            case "--batch": batch = try number(a)
            case "--modes":
                modes = Set(try value(a).split(separator: ",").map(String.init))
                let known: Set<String> = ["shared", "per-thread", "grouped"]
                guard modes.isSubset(of: known), !modes.isEmpty else { throw .usage("--modes knows \(known.sorted()), got \(modes.sorted())") }
            case "--memory": memoryExecutions = try number(a)
            case "--scale": scaleExecutions = try number(a)
            case "--reps": repetitions = try number(a)
            case "--only":
                phases = Set(try value(a).split(separator: ",").map(String.init))
                let known: Set<String> = ["lifecycle", "scripts", "memory", "scale"]
                guard phases.isSubset(of: known) else { throw .usage("--only knows \(known.sorted()), got \(phases.sorted())") }
            case "-h", "--help": throw .usage("")
            default: throw .usage("unknown argument '\(a)'")
            }
            i += 1
        }
    }
}

/// Everything that can stop the benchmark.
enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let m): return (m.isEmpty ? "" : m + "\n") + Options.usage
        case .failed(let m): return m
        }
    }
}
