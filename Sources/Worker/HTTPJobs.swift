import BatchCore
import Dispatch
import FoundationEssentials
import HTTP
import Platform

/// Jobs of kind `http`: one request to another service (method, URL and
/// headers from the job type, the parameters as the JSON body); a 2xx answer
/// is success. Each call blocks a thread of its own, never the cooperative pool.
struct HTTPJobs: Sendable {
    let client: HTTPClient
    let timers = DispatchQueue(label: "batch.worker.http-timeouts")
    /// Bound of the body kept in the result and the log.
    static let maxBody = 16 * 1024

    init(client: HTTPClient = HTTPClient(connectTimeout: .seconds(5), requestTimeout: .seconds(3600), maxIdlePerHost: 8,
                                         maxResponseBytes: 4 << 20)) {
        self.client = client
    }

    func start(_ jobType: JobType, params: [String: String], executionId: String, attempt: Int, timeout: Duration,
               job: InProcessJob, output: @escaping @Sendable ([String]) -> Void) {
        let client = self.client
        // The call cannot be interrupted; the timeout ends the attempt, and a late answer is ignored.
        timers.asyncAfter(deadline: .now() + .milliseconds(Int(timeout.inMilliseconds) + 50)) { job.end(.timedOut) }
        startThread(name: "http-job") {
            var headers = HTTPHeaders()
            for (k, v) in jobType.headers.sorted(by: { $0.key < $1.key }) { headers.set(k, v) }
            headers.set("Content-Type", "application/json")
            headers.set("X-Batch-Execution-Id", executionId)
            headers.set("X-Batch-Attempt", String(attempt))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = jobType.method == "GET" || jobType.method == "DELETE" ? [] : Array((try? encoder.encode(params)) ?? Data("{}".utf8))
            let url = jobType.url ?? ""
            do {
                let response = try client.request(jobType.method, url, headers: headers, body: body, timeout: timeout)
                let text = String(decoding: response.body.prefix(Self.maxBody), as: UTF8.self)
                output(text.split(separator: "\n", omittingEmptySubsequences: false).prefix(200).map(String.init))
                job.end(.httpStatus(response.status), result: Self.result(status: response.status, body: text))
            } catch {
                job.end(.httpError("\(jobType.method) \(url): \(error)"))
            }
        }
    }

    /// `{"status": N, "body": ...}`: the body as JSON when it is JSON, else as text.
    static func result(status: Int, body: String) -> String? {
        var object: [String: JSONValue] = ["status": .number(Double(status))]
        if let v = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) { object["body"] = v }
        else if !body.isEmpty { object["body"] = .string(body) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(object))).map { String(decoding: $0, as: UTF8.self) }
    }
}
