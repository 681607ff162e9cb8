import FoundationEssentials

/// Every setting of batch, read from `batch.conf` and its includes, then overlaid with
/// environment variables and flags (flags beat the environment, which beats the file).
/// Each program uses its own sections; every program accepts the whole file.
public struct Configuration: Sendable {
    /// Where the daemons look when no `--config` is given.
    public static let defaultPath = "/etc/batch/batch.conf"

    public var redis = RedisSettings()
    public var log = LogSettings()
    public var http = HTTPSettings()
    public var gateway = GatewaySettings()
    public var breaker = BreakerSettings()
    public var retention = RetentionSettings()
    public var worker = WorkerSettings()
    public var scheduler = SchedulerSettings()
    public var client = ClientSettings()
    /// Job types by name.
    public var jobs: [String: JobType] = [:]
    /// Schedules by name.
    public var schedules: [String: ScheduleDefinition] = [:]
    /// The files read, in order (the main file first).
    public var files: [String] = []

    /// The defaults, with no jobs and no schedules.
    public init() {}

    /// Reads the file at `path` and everything it includes. A missing file is an error.
    public static func load(path: String, validators: ConfigValidators = .init()) throws(ConfigError) -> Configuration {
        var loader = ConfigLoader()
        loader.load(path: path, origin: nil)
        return try build(loader, validators: validators, mainFile: path)
    }

    /// Reads `path`, or `defaultPath` when nil; a missing file at the default path is no
    /// error (the defaults apply), at an explicit path it is.
    public static func load(path: String?, validators: ConfigValidators = .init()) throws(ConfigError) -> Configuration {
        if let path { return try load(path: path, validators: validators) }
        guard FileManager.default.fileExists(atPath: defaultPath) else { return Configuration() }
        return try load(path: defaultPath, validators: validators)
    }

    /// Reads configuration text. `file` names it in messages, and relative includes are
    /// taken from its folder.
    public static func parse(text: String, file: String = "<config>", validators: ConfigValidators = .init()) throws(ConfigError) -> Configuration {
        var loader = ConfigLoader()
        loader.load(text: text, file: file)
        return try build(loader, validators: validators, mainFile: file)
    }

    /// The job types a worker with these settings serves: `worker.job-types`, or all.
    public var workerJobTypes: [JobType] {
        let names = worker.jobTypes.isEmpty ? jobs.keys.sorted() : worker.jobTypes
        return names.compactMap { jobs[$0] }
    }

    private static func build(_ loader: ConfigLoader, validators: ConfigValidators, mainFile: String) throws(ConfigError) -> Configuration {
        var builder = ConfigBuilder(validators: validators, mainFile: mainFile)
        builder.sink = loader.sink
        for block in loader.blocks { builder.add(block) }
        builder.finish()
        try builder.sink.throwIfAny()
        var config = builder.config
        config.files = loader.files
        return config
    }
}
