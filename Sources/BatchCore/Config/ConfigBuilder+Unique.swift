extension ConfigBuilder {
    /// `unique` names declared parameters only (a misspelt name would silently lock on less).
    mutating func checkUnique(_ job: JobType, block: ConfigBlock, keysSeen: [String: Int]) {
        guard case .names(let names) = job.unique, let line = keysSeen["unique"] else { return }
        let declared = job.params.map(\.name)
        for n in names where !declared.contains(n) {
            let hint = Suggestion.closest(to: n, in: declared).map { " (did you mean \"\($0)\"?)" } ?? ""
            let known = declared.isEmpty ? "it declares none" : "it declares \(declared.joined(separator: ", "))"
            sink.add(block.file, line, "\"unique\" in \(block.title) names \"\(n)\", which is not a declared parameter\(hint); \(known), or write unique = params")
        }
    }
}
