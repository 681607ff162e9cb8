// Hand-written JSON forms of the messages on the hot path (an execute request and
// its answer, a worker batch and its answers), read with `JSONReader` and written
// with `JSONWriter`. Each reads exactly what its `Codable` form reads, or answers
// nil so the caller decodes with `JSONDecoder` and reports that decoder's error.

/// The fields of a JSON object, read leniently as `Codable` does: a key that is
/// absent or null is nil; a key of the wrong type makes the whole read fail.
struct JSONFields {
    let object: [String: JSONValue]
    private(set) var ok = true

    init?(_ value: JSONValue?) {
        guard case .object(let o)? = value else { return nil }
        object = o
    }

    mutating func string(_ key: String) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: ok = false; return nil
        }
    }

    mutating func int(_ key: String) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case let v?:
            guard let n = v.exactInt else { ok = false; return nil }
            return n
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: ok = false; return nil
        }
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: ok = false; return nil
        }
    }

    mutating func array(_ key: String) -> [JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        default: ok = false; return nil
        }
    }

    /// The objects of an array, each read by `each`; nil when the key is absent or any element does not read.
    mutating func objects<T>(_ key: String, _ each: (inout JSONFields) -> T?) -> [T]? {
        guard let list = array(key) else { return nil }
        var out: [T] = []
        out.reserveCapacity(list.count)
        for v in list {
            guard var f = JSONFields(v), let t = each(&f), f.ok else { return nil }
            out.append(t)
        }
        return out
    }

    /// An object whose values are all strings.
    mutating func strings(_ key: String) -> [String: String]? {
        guard let o = object(key) else { return nil }
        var out: [String: String] = [:]
        out.reserveCapacity(o.count)
        for (k, v) in o {
            guard case .string(let s) = v else { ok = false; return nil }
            out[k] = s
        }
        return out
    }
}

extension BatchExecutionRequest {
    /// The request `body` holds, or nil when the fast reader does not take it.
    public init?(json body: [UInt8]) {
        guard var f = JSONFields(JSONReader.parse(body)), let job = f.string("jobType") else { return nil }
        self.init(jobType: job, params: f.object("params"), idempotencyKey: f.string("idempotencyKey"), priority: f.int("priority"),
                  timeoutSeconds: f.int("timeoutSeconds"), maxAttempts: f.int("maxAttempts"), notBefore: f.string("notBefore"))
        if let d = f.object["delay"], d != .null { delay = d }
        if f.object["trigger"] != nil, f.object["trigger"] != .null {
            guard var t = JSONFields(f.object["trigger"]), let source = t.string("source") else { return nil }
            trigger = Trigger(source: source, schedule: t.string("schedule"), fireTime: t.string("fireTime"), user: t.string("user"),
                              retryOf: t.string("retryOf"))
            guard t.ok else { return nil }
        }
        guard f.ok else { return nil }
    }
}

extension BatchExecutionResponse {
    /// The bytes `JSONEncoder` with sorted keys writes for this answer.
    public var json: [UInt8] {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("duplicate", duplicate)
        w.field("executionId", executionId)
        w.field("state", state.rawValue)
        w.endObject()
        return w.bytes
    }
}

extension WorkerDispatchBatch {
    public init?(json body: [UInt8]) {
        guard var f = JSONFields(JSONReader.parse(body)), let items = f.objects("dispatches", { d -> WorkerDispatchItem? in
            guard let job = d.string("jobType"), let id = d.string("executionId"), let attempt = d.int("attempt"),
                  let params = d.strings("params"), let timeout = d.int("timeoutSeconds"), let lease = d.int("leaseMs") else { return nil }
            return WorkerDispatchItem(jobType: job, WorkerDispatchRequest(executionId: id, attempt: attempt, params: params,
                                                                          timeoutSeconds: timeout, leaseMs: lease))
        }), f.ok else { return nil }
        self.init(dispatches: items)
    }

    public var json: [UInt8] {
        var w = JSONWriter(capacity: 64 + 200 * dispatches.count)
        w.beginObject()
        w.objects("dispatches", dispatches) { w, d in
            w.field("attempt", d.attempt)
            w.field("executionId", d.executionId)
            w.field("jobType", d.jobType)
            w.field("leaseMs", d.leaseMs)
            w.key("params")
            w.object(d.params)
            w.field("timeoutSeconds", d.timeoutSeconds)
        }
        w.endObject()
        return w.bytes
    }
}

extension WorkerDispatchBatchResponse {
    public init?(json body: [UInt8]) {
        guard var f = JSONFields(JSONReader.parse(body)), let results = f.objects("results", { a -> WorkerDispatchAnswer? in
            guard let id = a.string("executionId"), let status = a.int("status") else { return nil }
            return WorkerDispatchAnswer(executionId: id, status: status, state: a.string("state"), detail: a.string("detail"))
        }), f.ok else { return nil }
        self.init(results: results)
    }

    public var json: [UInt8] {
        var w = JSONWriter(capacity: 32 + 80 * results.count)
        w.beginObject()
        w.objects("results", results) { w, r in
            if let detail = r.detail { w.field("detail", detail) }
            w.field("executionId", r.executionId)
            if let state = r.state { w.field("state", state) }
            w.field("status", r.status)
        }
        w.endObject()
        return w.bytes
    }
}
