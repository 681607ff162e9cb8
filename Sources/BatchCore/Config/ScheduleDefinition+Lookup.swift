/// A schedule that runs in Redis but is not in the configuration a client read: its
/// job and parameters live only in the scheduler's file, so the client cannot run it now.
public struct ScheduleNotConfigured: Error, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The program that looked (`batchctl`, `batchtop`).
    public var program: String
    /// The files it read, main file first; empty for none.
    public var files: [String]

    public var description: String {
        let read = files.isEmpty ? "no configuration file" : files.joined(separator: ", ")
        return "schedule \(name) is running in Redis, but its parameters are in the configuration and \(program) read \(read); "
            + "give \(program) --config with the scheduler's file"
    }
}

extension ScheduleDefinition {
    /// The definition of schedule `name` in the configuration a client read (`schedules`,
    /// from `files`), for an operator's "run it now" (`batchctl schedule trigger`, batchtop's `T`).
    public static func configured(_ name: String, in schedules: [String: ScheduleDefinition], files: [String],
                                  program: String) throws(ScheduleNotConfigured) -> ScheduleDefinition {
        guard let def = schedules[name] else { throw ScheduleNotConfigured(name: name, program: program, files: files) }
        return def
    }
}
