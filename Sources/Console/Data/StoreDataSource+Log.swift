import Store

extension StoreDataSource {
    /// The detail with every output line the store keeps, bounded by `LogView.maxLines`:
    /// the log view reads this once per refresh while it is open.
    public func log(id: String) throws -> ExecutionDetail {
        guard let r = try executions.get(id) else { throw StoreError.notFound(id) }
        return LiveRows.detail(r, log: try executions.logTail(id, lines: LogView.maxLines))
    }

    /// One entry for the operator's action on many executions: which ones, and how many failed.
    public func auditTagged(action: String, ids: [String], failed: Int) throws {
        try executions.audit(action: action, user: settings.user, source: LiveGateway.source,
                             fields: ["count": "\(ids.count)", "failed": "\(failed)", "ids": ids.joined(separator: " ")])
    }
}
