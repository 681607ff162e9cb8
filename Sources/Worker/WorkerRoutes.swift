import BatchCore
import HTTP

/// The worker's endpoints (DESIGN.md §6).
enum WorkerRoutes {
    static func install(_ runtime: WorkerRuntime, on router: Router) {
        let dispatches = runtime.metrics.dispatches
        router.add("POST", "/api/batch/{jobType}") { request in
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
        router.add("GET", "/api/batch/executions/{id}") { request in
            let id = request.pathParameters["id"] ?? ""
            guard let result = runtime.result(of: id) else {
                throw HTTPError(status: 404, detail: "execution \(id) does not run on this worker and did not end here recently")
            }
            return .json(result)
        }
        router.add("POST", "/api/batch/executions/{id}/cancel") { request in
            let id = request.pathParameters["id"] ?? ""
            guard runtime.cancel(id), let result = runtime.result(of: id) else {
                throw HTTPError(status: 404, detail: "execution \(id) does not run on this worker")
            }
            return .json(result, status: 202)
        }
    }
}
