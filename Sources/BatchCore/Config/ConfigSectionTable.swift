/// A singleton section reached by name, so files and overrides set keys the same way.
struct ConfigSectionTable {
    let name: String
    let keyNames: [String]
    let aliases: [String: String]
    /// Sets a known key; returns an error message about the value, or nil.
    let set: (inout Configuration, _ key: String, _ value: String) -> String?

    static func of<S: ConfigSection>(_ kp: WritableKeyPath<Configuration, S>) -> ConfigSectionTable {
        ConfigSectionTable(name: S.sectionName, keyNames: S.keys.map(\.name), aliases: S.aliases) { config, key, value in
            guard let spec = S.keys.first(where: { $0.name == key }) else { return "unknown key \"\(key)\"" }
            return spec.apply(&config[keyPath: kp], value)
        }
    }

    static var all: [ConfigSectionTable] {[
        of(\.redis), of(\.log), of(\.http), of(\.gateway), of(\.breaker),
        of(\.retention), of(\.worker), of(\.scheduler), of(\.client),
    ]}

    /// Every section name, the named ones included, for suggestions.
    static var sectionNames: [String] { all.map(\.name) + ["job", "schedule", "include"] }

    /// `unknown key "x" in [s] (did you mean "y"?)` or, without a close match, the known keys.
    static func unknownKey(_ key: String, in title: String, known: [String], aliases: [String: String]) -> String {
        if let s = Suggestion.closest(to: key, in: known, aliases: aliases) {
            return "unknown key \"\(key)\" in \(title) (did you mean \"\(s)\"?)"
        }
        return "unknown key \"\(key)\" in \(title) (known keys: \(known.joined(separator: ", ")))"
    }
}
