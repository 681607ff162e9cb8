extension RedisClient {
    /// Sends one command from async code, on the client's own threads.
    public func sendAsync(_ command: RedisCommand) async throws -> RedisReply {
        try await onClientThreads { try self.send(command) }
    }

    public func evalAsync(_ script: RedisScript, keys: [any RedisArgument], args: [any RedisArgument]) async throws -> RedisReply {
        let keyBytes = keys.map(\.redisBytes)
        let argBytes = args.map(\.redisBytes)
        return try await onClientThreads { try self.eval(script, keyBytes: keyBytes, argBytes: argBytes) }
    }

    public func pipelineAsync(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        try await onClientThreads { try self.pipeline(commands) }
    }

    /// Runs blocking work on the client's own threads (as many as pool connections) and resumes
    /// the caller with its result; the cooperative pool only waits, it never blocks.
    private func onClientThreads<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            executor.submit { continuation.resume(with: Result { try work() }) }
        }
    }
}
