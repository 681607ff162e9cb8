import BatchCore
import Foundation
import HTTP

/// batchtop's changes go through a gateway's HTTP API (DESIGN.md §6), never straight
/// into Redis: the gateway validates, audits and wakes its dispatchers.
struct LiveGateway: Sendable {
    let client: HTTPClient
    /// The operator, sent as `X-Batch-User` and in the trigger.
    let user: String
    /// Bearer token for mutating endpoints, when the deployment requires one.
    let token: String?
    let timeout: Duration

    static let source = "batchtop"

    /// Problem documents (RFC 9457) as the gateway writes them.
    private struct Problem: Decodable {
        var title: String?
        var detail: String?
    }

    var headers: HTTPHeaders {
        var h: HTTPHeaders = [:]
        h.set("X-Batch-User", user)
        h.set("X-Batch-Source", Self.source)
        if let token { h.set("Authorization", "Bearer " + token) }
        return h
    }

    /// POST /api/orchestration/execute; the new execution's id.
    func trigger(at gateways: [String], job: String, params: [String: String]) throws(ConsoleError) -> String {
        let body = BatchExecutionRequest(jobType: job, params: params.mapValues { JSONValue.string($0) },
                                         trigger: Trigger(source: Self.source, user: user))
        let answer = try post(gateways, "/api/orchestration/execute", body)
        guard let r = try? JSONDecoder().decode(BatchExecutionResponse.self, from: Data(answer.body)) else {
            throw .gateway("the gateway accepted the trigger but its answer is not a BatchExecutionResponse: \(String(answer.text.prefix(200)))")
        }
        return r.executionId
    }

    /// POST .../executions/{id}/cancel (idempotent).
    func cancel(at gateways: [String], id: String) throws(ConsoleError) {
        _ = try post(gateways, "/api/orchestration/executions/\(Self.pathSegment(id))/cancel", nil as String?)
    }

    /// POST .../executions/{id}/retry; the new execution's id.
    func retry(at gateways: [String], id: String) throws(ConsoleError) -> String {
        let answer = try post(gateways, "/api/orchestration/executions/\(Self.pathSegment(id))/retry", nil as String?)
        guard let r = try? JSONDecoder().decode(BatchExecutionResponse.self, from: Data(answer.body)) else {
            throw .gateway("the gateway accepted the retry but its answer is not a BatchExecutionResponse: \(String(answer.text.prefix(200)))")
        }
        return r.executionId
    }

    /// Sends to the first gateway that answers; only when one cannot be reached at all
    /// is the next tried (an answer, even a refusal, is final: the request may have acted).
    private func post<T: Encodable>(_ gateways: [String], _ path: String, _ body: T?) throws(ConsoleError) -> HTTPClientResponse {
        guard !gateways.isEmpty else {
            throw .gateway("no live gateway is registered in Redis; start batch-gateway or give --gateway URL")
        }
        var failures: [String] = []
        for base in gateways {
            let url = base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
            let response: HTTPClientResponse
            do {
                if let body {
                    response = try client.post(url, json: body, headers: headers, timeout: timeout)
                } else {
                    response = try client.request("POST", url, headers: headers, timeout: timeout)
                }
            } catch let e as HTTPClientError {
                if case .connectionRefused = e { failures.append("\(base): \(e)"); continue }
                throw .gateway("gateway \(base): \(e)")
            } catch {
                throw .gateway("gateway \(base): \(error)")
            }
            if (200..<300).contains(response.status) { return response }
            throw .gateway(Self.describe(response, from: base))
        }
        throw .gateway("no gateway could be reached (\(failures.joined(separator: "; ")))")
    }

    /// `gateway http://…: 503 Service Unavailable: no live worker serves …` from a problem document.
    static func describe(_ r: HTTPClientResponse, from base: String) -> String {
        if let p = try? JSONDecoder().decode(Problem.self, from: Data(r.body)), p.title != nil || p.detail != nil {
            return "gateway \(base): \(r.status) \([p.title, p.detail].compactMap { $0 }.joined(separator: ": "))"
        }
        let text = r.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return "gateway \(base): HTTP \(r.status)" + (text.isEmpty ? "" : ": \(text.prefix(200))")
    }

    /// Ids are ULIDs; anything else is escaped so it cannot leave its path segment.
    static func pathSegment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}
