import CSystem
import Glibc

/// Starts a detached POSIX thread that runs `body` once and then ends.
///
/// The Foundation-free stand-in for `Thread.detachNewThread`: the daemons keep
/// libFoundation (and ICU behind it) out of their address space, which is most
/// of an idle worker's resident memory.
/// - Parameters:
///   - name: shown by `ps -L` and `top -H`; Linux keeps the first 15 bytes.
///   - stackSize: bytes of stack to reserve (virtual until touched); nil keeps
///     the system default (8 MB).
public func startThread(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
    if let stackSize {
        precondition(stackSize >= Int(PTHREAD_STACK_MIN), "thread \(name): stack of \(stackSize) bytes is below PTHREAD_STACK_MIN")
        pthread_attr_setstacksize(&attr, stackSize)
    }
    // The box carries one retain into the new thread, which takes it back.
    let start = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attr, { raw in
        guard let raw else { return nil }
        let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
        start.run()
        return nil
    }, start)
    if rc != 0 {
        Unmanaged<ThreadStart>.fromOpaque(start).release()
        // Every caller depends on its thread (a loop, a pool, a continuation to resume): without
        // it the daemon would hang silently, so stop loudly and let the supervisor restart it.
        fatalError("cannot start thread \(name): pthread_create failed with error \(rc) "
            + "(\(String(cString: strerror(rc)))); raise the process or user thread limit (ulimit -u, TasksMax)")
    }
}

/// What a new thread needs, handed over through pthread_create's one pointer.
private final class ThreadStart {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    func run() {
        // The kernel refuses names of 16 bytes or more; cut at a character boundary.
        var bytes = 0
        var short = ""
        for ch in name where bytes + ch.utf8.count <= 15 {
            short.append(ch)
            bytes += ch.utf8.count
        }
        _ = pthread_setname_np(pthread_self(), short)
        body()
    }
}
