import Platform
/// A fleet-wide rate limit of a job type (`rate = N/PERIOD`, `rate-burst = B`): a token bucket
/// in Redis, on Redis' clock, that holds at most `burst` tokens and gains one every
/// `period / count`. Each lease takes a token; work of the job type waits in its queue while
/// there is none. A bucket that was full at some instant lets at most `count + burst - 1`
/// leases through in any window of one period from then on (`count` per period in the long run).
public struct JobRate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Leases per period.
    public var count: Int
    /// The period, ms.
    public var periodMs: Int64
    /// Tokens the bucket holds at most: leases that may go at once after a quiet spell (1: evenly spaced).
    public var burst: Int

    public init(count: Int, periodMs: Int64, burst: Int = 1) {
        self.count = count; self.periodMs = periodMs; self.burst = burst
    }

    /// The most leases per period, and the longest period.
    public static let maxCount = 1_000_000
    public static let maxPeriod = Duration.seconds(86_400)

    /// `N/PERIOD`: a count and a duration (`100/1m`, `5/1s`, `1000/1h`, `3/500ms`); the burst is 1.
    public static func parse(_ text: String) -> Result<JobRate, JobRateError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[0].trimmingWhitespace()), let period = ConfigDuration.parse(String(parts[1])) else {
            return .failure(JobRateError(message: "expected a count and a period such as 100/1m, 5/1s or 1000/1h, found \"\(text)\""))
        }
        guard (1...maxCount).contains(n) else {
            return .failure(JobRateError(message: "the count of \"\(text)\" must be 1 to \(maxCount)"))
        }
        guard period >= .milliseconds(1), period <= maxPeriod else {
            return .failure(JobRateError(message: "the period of \"\(text)\" must be 1ms to 1d"))
        }
        return .success(JobRate(count: n, periodMs: period.inMilliseconds))
    }

    /// `100/1m`, as the configuration writes it, with `burst 5` when the burst is above 1.
    public var description: String {
        let rate = "\(count)/\(ConfigDuration.format(.milliseconds(periodMs)))"
        return burst > 1 ? rate + " burst \(burst)" : rate
    }
}

/// Why a `rate` value does not parse.
public struct JobRateError: Error, Sendable, Hashable {
    public var message: String
}
