/// A field of a job type's rate bucket (`rate:<job>`), written by the claim script.
public enum RateField: String, CaseIterable, Sendable {
    /// Tokens in the bucket at `at` (a fraction while the next one accrues).
    case tokens
    /// When `tokens` was reckoned, ms (Redis time).
    case at
    /// The rate the bucket last ran at: leases per period, the period in ms, and the burst.
    case count, period, burst
}
