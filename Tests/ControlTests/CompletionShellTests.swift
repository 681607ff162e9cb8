import Foundation
import Testing
import TestSupport

/// The completion scripts of the built batchctl: each parses in its shell (`bash -n`, `zsh -n`,
/// `fish -n`), and zsh's and fish's complete commands, subcommands and option values from the
/// same declaration as bash's. zsh and fish come from scripts/deps.sh test: their absence fails.
struct CompletionShellTests {
    /// Runs `shell args...` with `script` in a file passed as `$SCRIPT`; returns status and output.
    func shell(_ shell: String, _ script: String, _ args: [String]) throws -> (Int32, String) {
        let dir = try makeTemporaryDirectory("batchctl-completion")
        defer { removeTree(dir) }
        let file = dir + "/script"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let p = try ChildProcess(executable: shell, arguments: args.map { $0.replacingOccurrences(of: "$SCRIPT", with: file) },
                                 environment: ["PATH": "/usr/bin:/bin", "HOME": dir, "XDG_CONFIG_HOME": dir, "XDG_DATA_HOME": dir])
        guard case .exited(let code)? = p.wait(timeout: .seconds(30)), p.waitForOutputEnd(timeout: .seconds(10)) else {
            return (-1, "\(shell) did not end")
        }
        return (code, p.standardOutput + p.standardError)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func scriptParses(_ name: String) throws {
        let r = try batchctl(["completion", name])
        #expect(r.status == 0, "\(r)")
        #expect(r.out.contains("batchctl completion \(name)"))
        let (status, out) = try shell(name, r.out, ["-n", "$SCRIPT"])
        #expect(status == 0, "\(name) -n: \(out)")
    }

    @Test func fishCompletesCommandsSubcommandsAndValues() throws {
        let script = try batchctl(["completion", "fish"]).out
        func complete(_ line: String) throws -> [String] {
            let (status, out) = try shell("fish", script, ["--no-config", "-c", "source $SCRIPT; complete -C '\(line)'"])
            #expect(status == 0, "fish: \(out)")
            return out.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        }
        #expect(try complete("batchctl bre") == ["breakers"])
        #expect(Set(try complete("batchctl breakers ")) == ["force-open", "force-close", "reset"])
        #expect(Set(try complete("batchctl list --state ")).isSuperset(of: ["queued", "running", "succeeded", "timed_out"]))
        #expect(try complete("batchctl --namespace x list --j").contains("--job"))
        #expect(try complete("batchctl completion ").contains("zsh"))
    }

    @Test func zshKnowsEachCommandsSubcommandsAndValuedOptions() throws {
        let script = try batchctl(["completion", "zsh"]).out
        let (status, out) = try shell("zsh", script, ["-f", "-c", """
            autoload -U compinit; compinit -u -D; source $SCRIPT
            __batchctl_spec 'breakers'; print -r -- "subs=${(j:,:)${subs[@]%%:*}}"
            __batchctl_spec 'list'; print -r -- "valued=${(j:,:)valued}"
            __batchctl_spec ''; print -r -- "top=${(j:,:)${subs[@]%%:*}}"
            """])
        #expect(status == 0, "zsh: \(out)")
        #expect(out.contains("subs=force-open,force-close,reset"), "\(out)")
        #expect(out.contains("--state") && out.contains("--job"), "\(out)")
        #expect(out.contains("top=trigger,"), "\(out)")
    }
}
