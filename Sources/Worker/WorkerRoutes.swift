import BatchCore
import FleetAPI
import HTTP

/// The worker's endpoints (DESIGN.md §6).
enum WorkerRoutes {
    static func install(_ runtime: WorkerRuntime, on router: Router) {
        let dispatches = runtime.metrics.dispatches
        router.add(WorkerAPI.dispatch) { request in
            let job = request.pathParameters["jobType"] ?? ""
            let body: WorkerDispatchRequest = try request.decodeJSON()
            do {
                let result = try runtime.dispatch(jobType: job, request: body)
                dispatches.labels("202").inc()
                return .json(result, status: 202)
            } catch let error as DispatchError {
                dispatches.labels(String(error.status)).inc()
                return error.response
            }
        }
        router.add(WorkerAPI.dispatchBatch) { request in
            let batch = try request.decodeJSON(WorkerDispatchBatch.self, fast: WorkerDispatchBatch.init(json:))
            guard batch.dispatches.count <= WorkerRuntime.maxBatch else {
                throw HTTPError(status: 413, detail: "a batch holds at most \(WorkerRuntime.maxBatch) dispatches, this one \(batch.dispatches.count)")
            }
            let answers = runtime.dispatchMany(batch.dispatches.map { ($0.jobType, $0.request) })
            let results = zip(batch.dispatches, answers).map { item, answer -> WorkerDispatchAnswer in
                switch answer {
                case .success(let r):
                    dispatches.labels("202").inc()
                    return WorkerDispatchAnswer(executionId: item.executionId, status: 202, state: r.status)
                case .failure(let e):
                    dispatches.labels(String(e.status)).inc()
                    return WorkerDispatchAnswer(executionId: item.executionId, status: e.status, detail: e.description)
                }
            }
            return .json(bytes: WorkerDispatchBatchResponse(results: results).json)
        }
        router.add(WorkerAPI.execution) { request in
            let id = request.pathParameters["id"] ?? ""
            guard let result = runtime.result(of: id) else {
                throw HTTPError(status: 404, detail: "execution \(id) does not run on this worker and did not end here recently")
            }
            return .json(result)
        }
        router.add(WorkerAPI.cancel) { request in
            let id = request.pathParameters["id"] ?? ""
            guard runtime.cancel(id), let result = runtime.result(of: id) else {
                throw HTTPError(status: 404, detail: "execution \(id) does not run on this worker")
            }
            return .json(result, status: 202)
        }
    }
}
