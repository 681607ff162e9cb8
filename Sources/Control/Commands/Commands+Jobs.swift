import BatchCore
import FleetAPI
import Store

extension Commands {
    /// `job pause|resume JOB`, through a gateway (which audits it and applies it at once; the
    /// other gateways within their next maintenance round).
    static func pauseJob(_ p: ParsedCommand, _ c: ControlContext, _ paused: Bool) throws(ControlError) {
        let job = p.argument("JOB") ?? ""
        let answer = try c.gateway().call(GatewayAPI.pauseJob(job, paused: paused))
        if p.flag(Option.json) { c.out.json(answer); return }
        let verb = paused ? "paused" : "resumed"
        c.out.line("dispatch of \(job) \(answer.changed ? verb : "was already " + verb) for every gateway"
                   + (paused ? "; its executions are accepted and wait queued ('batchctl job resume \(job)')" : ""))
    }
}
