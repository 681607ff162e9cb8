import BatchCore
import Terminal

/// The `t` form: first choose a job type from those workers serve, then fill in its
/// declared parameters (defaults filled in) and when to run it (`now`, a delay such
/// as `15m`, or a time with an offset), all checked before anything is sent.
public struct TriggerForm: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case chooseJob
        case editParams(job: JobTypeInfo)
    }

    /// What a key did to the form.
    public enum Outcome: Equatable, Sendable {
        case editing
        case cancelled
        case submit(job: String, params: [String: String], runLater: RunLater)
    }

    public private(set) var step: Step = .chooseJob
    public private(set) var jobTypes: [JobTypeInfo]
    public private(set) var jobIndex = 0
    /// The parameters' values, then the run field's.
    public private(set) var values: [String] = []
    public private(set) var field = 0
    /// Why the last submit was refused, per field.
    public private(set) var problems: [String?] = []

    public init(jobTypes: [JobTypeInfo]) {
        self.jobTypes = jobTypes.sorted { $0.name < $1.name }
    }

    /// New job types arrived (the first fetch, or a refresh) while choosing.
    public mutating func update(jobTypes: [JobTypeInfo]) {
        guard step == .chooseJob else { return }
        let current = self.jobTypes.indices.contains(jobIndex) ? self.jobTypes[jobIndex].name : nil
        self.jobTypes = jobTypes.sorted { $0.name < $1.name }
        jobIndex = current.flatMap { c in self.jobTypes.firstIndex { $0.name == c } } ?? 0
    }

    /// One key: moves, edits, or (on Enter at the end, or F2) checks and submits.
    public mutating func handle(_ key: Key) -> Outcome {
        if key == .escape { return .cancelled }
        switch step {
        case .chooseJob: return chooseJob(key)
        case .editParams(let job): return editParams(key, job)
        }
    }

    private mutating func chooseJob(_ key: Key) -> Outcome {
        switch key {
        case .up, .char("k"), .backTab: jobIndex = max(jobIndex - 1, 0)
        case .down, .char("j"), .tab: jobIndex = min(jobIndex + 1, max(jobTypes.count - 1, 0))
        case .home: jobIndex = 0
        case .end: jobIndex = max(jobTypes.count - 1, 0)
        case .enter:
            guard jobTypes.indices.contains(jobIndex) else { return .editing }
            let job = jobTypes[jobIndex]
            step = .editParams(job: job)
            values = job.params.map { $0.defaultValue ?? "" } + ["now"]
            problems = Array(repeating: nil, count: values.count)
            field = 0
        default: break
        }
        return .editing
    }

    private mutating func editParams(_ key: Key, _ job: JobTypeInfo) -> Outcome {
        switch key {
        case .up, .backTab: field = max(field - 1, 0)
        case .down, .tab: field = min(field + 1, values.count - 1)
        case .backspace, .delete:
            if !values[field].isEmpty { values[field].removeLast() }
            problems[field] = nil
        case .ctrl("u"):
            values[field] = ""
            problems[field] = nil
        case .char(let c):
            values[field].append(c)
            problems[field] = nil
        case .enter:
            if field < values.count - 1 { field += 1; return .editing }
            return submit(job)
        case .f(2), .ctrl("s"):  // submit from any field
            return submit(job)
        default: break
        }
        return .editing
    }

    /// The index of the run field, after the parameters.
    public var runField: Int { values.count - 1 }

    private mutating func submit(_ job: JobTypeInfo) -> Outcome {
        let runLater = RunLater.parse(values[runField])
        problems = zip(job.params, values).map { ParamValidation.problem($1, for: $0) }
            + [runLater == nil ? Self.runHint : nil]
        if let bad = problems.firstIndex(where: { $0 != nil }) {
            field = bad
            return .editing
        }
        var params: [String: String] = [:]
        for (p, v) in zip(job.params, values) where !v.isEmpty { params[p.name] = v }
        return .submit(job: job.name, params: params, runLater: runLater ?? .now)
    }

    /// What the run field takes.
    public static let runHint = "now, a delay (15m, 1h30m) or a time with offset (2026-12-08T02:00:00Z)"

}
