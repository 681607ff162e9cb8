import Glibc
import Synchronization

private let sharedServer = Mutex<Result<RedisServer, TestSupportError>?>(nil)
private let namespaceCounter = Atomic<Int>(0)

extension RedisServer {
    /// One server for the whole test process, started on first use and stopped at exit,
    /// so suites can share it and run in parallel (each test takes its own namespace).
    public static var shared: RedisServer {
        get throws {
            try sharedServer.withLock { slot in
                if slot == nil {
                    do {
                        slot = .success(try RedisServer.start())
                        atexit { stopShared() }
                    } catch let error as TestSupportError {
                        slot = .failure(error)
                    } catch {
                        slot = .failure(TestSupportError("\(error)"))
                    }
                }
                return try slot!.get()
            }
        }
    }

    /// A key prefix no other test in this or another process uses: `label-pid-n-random`.
    public static func uniqueNamespace(_ label: String = #function) -> String {
        let clean = String(label.prefix { $0 != "(" }.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        let n = namespaceCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        return "\(clean.isEmpty ? "test" : clean)-\(getpid())-\(n)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

private func stopShared() {
    let server = sharedServer.withLock { slot -> RedisServer? in
        defer { slot = nil }
        if case .success(let server) = slot { return server }
        return nil
    }
    server?.stop()
}
