import Foundation
import Glibc
import Testing
@testable import Worker

/// Real child processes through `ProcessRunner`.
struct ProcessTests {
    let runner = ProcessRunner()

    @Test func deliversExitCodeAndLinesOfBothStreams() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3"]), onEvent: log.onEvent)
        let end = try #require(await outcome(of: p))
        #expect(end.status == .exited(3))
        #expect(end.cause == .natural)
        #expect(log.texts(.stdout) == ["out1", "out2"])
        #expect(log.texts(.stderr) == ["err1"])
        #expect(end.outputLines == 3)
        #expect(end.outputBytes == 15)
        #expect(end.droppedLines == 0)
        #expect(end.endedAt >= end.startedAt)
        #expect(!p.isRunning)
    }

    @Test func waitReturnsTheOutcomeAfterOnExit() async throws {
        let seen = EventLog()
        let p = try await runner.start(testSpec(["sh", "-c", "echo hi"]), onEvent: seen.onEvent)
        let end = await p.wait()
        #expect(end.status == .exited(0))
        #expect(seen.texts(.stdout) == ["hi"])
    }

    @Test func progressLinesBecomeProgressNotOutput() async throws {
        let log = EventLog()
        let script = "echo '::progress 40'; echo working; echo '::progress 140'; echo '::progress 100'"
        let p = try await runner.start(testSpec(["sh", "-c", script]), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(log.progress == [40, 100])
        #expect(log.texts(.stdout) == ["working", "::progress 140"])
    }

    @Test func argvReachesTheProgramLiterally() async throws {
        let tricky = ["; rm -rf /", "$(touch /tmp/batch-should-not-exist)", "`id`", "'single' \"double\"",
                      "--flags", "-n", "a b\tc", "*", "$HOME", "two\nlines", ""]
        let log = EventLog()
        let p = try await runner.start(testSpec(["printf", "%s\\n"] + tricky), onEvent: log.onEvent)
        let end = try #require(await outcome(of: p))
        #expect(end.status == .exited(0))
        #expect(log.texts(.stdout) == tricky.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) })
        #expect(!FileManager.default.fileExists(atPath: "/tmp/batch-should-not-exist"))
    }

    @Test func environmentIsOnlyWhatTheSpecGives() async throws {
        let log = EventLog()
        let env = ["BATCH_EXECUTION_ID": "e-42", "BATCH_PARAM_DATE": "2026-01-02"]
        let p = try await runner.start(testSpec(["env"], environment: env), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(Set(log.texts(.stdout)) == ["BATCH_EXECUTION_ID=e-42", "BATCH_PARAM_DATE=2026-01-02"])
    }

    @Test func stdinCarriesTheParametersAndIsClosed() async throws {
        let log = EventLog()
        let json = JobEnvironment.stdinJSON(["date": .string("2026-01-02")])
        let p = try await runner.start(testSpec(["cat"], stdin: json), onEvent: log.onEvent)
        let end = try #require(await outcome(of: p))
        #expect(end.status == .exited(0))
        #expect(log.texts(.stdout) == [#"{"date":"2026-01-02"}"#])
    }

    @Test func stdinLargerThanThePipeIsWrittenInFull() async throws {
        let log = EventLog()
        let p = try await runner.start(testSpec(["wc", "-c"], stdin: Array(repeating: 0x61, count: 1_000_000)), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(log.texts(.stdout).map { $0.trimmingCharacters(in: .whitespaces) } == ["1000000"])
    }

    @Test func aChildThatIgnoresItsStdinDoesNotHurtTheRunner() async throws {
        let p = try await runner.start(testSpec(["true"], stdin: Array(repeating: 0x61, count: 1_000_000)))
        #expect(try #require(await outcome(of: p)).status == .exited(0))
    }

    @Test func workingDirectoryIsApplied() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-proc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = EventLog()
        var spec = testSpec(["pwd"])
        spec.workingDirectory = dir.path
        let p = try await runner.start(spec, onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(log.texts(.stdout) == [dir.path])
    }

    @Test func aRelativeProgramPathIsFoundInTheWorkingDirectory() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-proc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Written by a child: a file this process had open for writing could be
        // held by a concurrent spawn's fork, and then exec fails with ETXTBSY.
        var writer = testSpec(["sh", "-c", "printf '#!/bin/sh\\necho hello \"$1\"\\n' > hello.sh && chmod +x hello.sh"])
        writer.workingDirectory = dir.path
        #expect(try #require(await outcome(of: try await runner.start(writer))).status == .exited(0))
        let log = EventLog()
        var spec = testSpec(["./hello.sh", "there"])
        spec.workingDirectory = dir.path
        let p = try await runner.start(spec, onEvent: log.onEvent)
        #expect(try #require(await outcome(of: p)).status == .exited(0))
        #expect(log.texts(.stdout) == ["hello there"], "stderr: \(log.texts(.stderr))")
    }

    @Test func childInheritsOnlyItsStandardDescriptors() async throws {
        // Opened without O_CLOEXEC, as a C library's socket might be.
        let leaky = open("/dev/null", O_RDONLY)
        #expect(leaky > 2)
        defer { close(leaky) }
        let log = EventLog()
        // ls holds one more descriptor of its own, for the directory it lists.
        let p = try await runner.start(testSpec(["sh", "-c", "ls /proc/$$/fd"]), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(log.texts(.stdout).sorted() == ["0", "1", "2"])
    }

    @Test func childRunsInItsOwnProcessGroupWithCleanSignals() async throws {
        let log = EventLog()
        // cut is the shell's child: it reports the group it shares with the shell.
        let script = "echo pid=$$; echo pgrp=$(cut -d' ' -f5 /proc/self/stat); grep -E '^Sig(Ign|Blk)' /proc/self/status"
        let p = try await runner.start(testSpec(["sh", "-c", script]), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        let out = log.texts(.stdout)
        #expect(out.count == 4)
        #expect(out.first == "pid=\(p.pid)")
        #expect(out.dropFirst().first == "pgrp=\(p.pid)")
        // Signals 1...31; glibc keeps its internal real-time signals (32, 33) to itself.
        func mask(_ name: String) -> UInt64? {
            out.first { $0.hasPrefix(name + ":\t") }.flatMap { UInt64($0.dropFirst(name.count + 2), radix: 16) }
        }
        #expect(mask("SigIgn").map { $0 & 0x7fff_ffff } == 0)
        #expect(mask("SigBlk").map { $0 & 0x7fff_ffff } == 0)
    }

    @Test func sigpipeKillsAWriterInTheChild() async throws {
        let log = EventLog()
        // With SIGPIPE at its default, `yes` dies by it (status 141); ignored, it would exit 1.
        let p = try await runner.start(testSpec(["sh", "-c", "(yes; echo status=$? >&2) | head -c 1 >/dev/null"]), onEvent: log.onEvent)
        _ = try #require(await outcome(of: p))
        #expect(log.texts(.stderr) == ["status=141"])
    }

    @Test(arguments: [["/nonexistent/batch-program"], ["batch-no-such-program"], [""]])
    func missingProgramThrowsSpawnError(argv: [String]) async {
        let runner = runner
        await #expect(throws: SpawnError.self) { try await runner.start(testSpec(argv)) }
        // The blocking overload, from a thread of its own.
        let failure = await onThread { () -> SpawnError? in
            do throws(SpawnError) { try runner.start(testSpec(argv)); return nil } catch { return error }
        }
        #expect(failure?.description.contains("cannot start \"\(argv[0])\"") == true)
        #expect(failure?.code == (argv[0].isEmpty ? EINVAL : ENOENT))
    }

    @Test func missingWorkingDirectoryThrowsSpawnError() async {
        var spec = testSpec(["true"])
        spec.workingDirectory = "/nonexistent/batch-dir"
        do {
            try await runner.start(spec)
            Issue.record("started in a missing directory")
        } catch {
            #expect(error.code == ENOENT)
            #expect(error.description.contains("/nonexistent/batch-dir"))
        }
    }

    @Test func startFromAnExitCallbackDoesNotDeadlock() async throws {
        let second = EventLog()
        let runner = runner
        let first = try await runner.start(testSpec(["true"]), onExit: { _ in
            _ = try? runner.start(testSpec(["echo", "second"]), onEvent: second.onEvent)
        })
        _ = try #require(await outcome(of: first))
        #expect(await eventually(within: .seconds(10)) { second.texts(.stdout) == ["second"] })
    }
}
