/// A field of a `daemon:<id>` hash, as a daemon's heartbeat writes it (Lua: `D.<case>`);
/// `daemons:seen` keeps `role`, `host`, `address` and `slots` of it.
public enum DaemonField: String, CaseIterable, Sendable {
    /// `gateway`, `worker` or `scheduler`.
    case role
    case host, pid, version
    /// The URL other daemons reach it at.
    case address
    /// When it started, ms.
    case started
    /// JSON of its metrics snapshot.
    case metrics
    /// Redis time of its last heartbeat, ms (written by the script).
    case heartbeat
    /// A worker's slots, running attempts and job types (comma-separated).
    case slots, running, jobs
    /// "1" while a worker drains.
    case draining
}
