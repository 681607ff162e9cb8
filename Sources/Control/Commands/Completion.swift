import BatchCore
import Store

/// Bash completion: the script is made from the command declaration; names that
/// live in Redis (job types, schedules, workers, recent ids) come from
/// `batchctl completion words KIND`, run by the script as the user types.
enum Completion {
    static let kinds = ["jobs", "schedules", "workers", "ids"]

    static func words(_ p: ParsedCommand, _ c: ControlContext) throws(ControlError) {
        let kind = p.argument("KIND") ?? ""
        var names: [String]
        switch kind {
        case "jobs":
            let f = try c.fleet()
            let workers = try Commands.liveDaemons(c).daemons.filter { $0.role == "worker" }.map(\.id)
            let jobs = try c.store { () throws(StoreError) in try f.jobs(of: workers) }
            names = Array(Set(jobs.values.flatMap(\.keys)))
        case "schedules": names = try Commands.scheduleRows(c).map(\.name)
        case "workers": names = try Commands.liveDaemons(c).daemons.filter { $0.role == "worker" }.map(\.id)
        case "ids":
            let store = try c.executions()
            names = try c.store { () throws(StoreError) in try store.list(limit: 50) }.executions.map(\.id)
        default:
            let hint = Suggestion.closest(to: kind, in: kinds).map { " (did you mean '\($0)'?)" } ?? ""
            throw Commands.usageError(p, "unknown kind '\(kind)'\(hint); one of \(kinds.joined(separator: ", "))")
        }
        if kind != "ids" { names.sort() }
        c.out.lines(names)
    }

    /// What a command's positional argument completes to, as its declaration says.
    static func argumentKind(_ c: CommandSpec<CommandHandler>) -> String? {
        c.arguments.first?.completes
    }

    /// A bash script defining `_batchctl` and registering it for `batchctl`.
    static func bashScript(spec: CommandSpec<CommandHandler>) -> String {
        var cases = ""
        for (key, c, options) in paths(spec) {
            let opts = (options.map { "--\($0.long)" } + ["--help"]).joined(separator: " ")
            let subs = c.subcommands.map(\.name).joined(separator: " ")
            let valued = options.filter { !$0.isFlag }.map { "--\($0.long)" }.joined(separator: "|")
            cases += "        \"\(key)\") opts=\"\(opts)\"; subs=\"\(subs)\"; valued=\"\(valued)\"; kind=\"\(argumentKind(c) ?? "")\" ;;\n"
        }
        let states = ExecutionState.allCases.map(\.rawValue).joined(separator: " ")
        return """
        # bash completion for batchctl; made by 'batchctl completion bash'.
        # Install: batchctl completion bash > /etc/bash_completion.d/batchctl
        # or add to ~/.bashrc: source <(batchctl completion bash)
        _batchctl() {
            local cur prev words cword
            cur="${COMP_WORDS[COMP_CWORD]}"
            prev="${COMP_WORDS[COMP_CWORD-1]}"
            local path="" i w opts subs valued kind
            local -a global=()
            # Options that reach Redis, to ask the same deployment for names.
            for ((i = 1; i < COMP_CWORD; i++)); do
                w="${COMP_WORDS[i]}"
                case "$w" in
                    --redis|--namespace|--config) global+=("$w" "${COMP_WORDS[i+1]}"); ((i++)); continue ;;
                    --*=*) continue ;;
                    -*) continue ;;
                esac
                # The value of an option is no command.
                case "${COMP_WORDS[i-1]}" in --*) [[ "|$valued|" == *"|${COMP_WORDS[i-1]}|"* ]] && continue ;; esac
                __batchctl_spec "$path"
                if [[ " $subs " == *" $w "* ]]; then path="${path:+$path }$w"; fi
            done
            __batchctl_spec "$path"
            case "$prev" in
                --state|-s) COMPREPLY=($(compgen -W "\(states)" -- "$cur")); return ;;
                --job|-j) COMPREPLY=($(compgen -W "$(batchctl "${global[@]}" completion words jobs 2>/dev/null)" -- "$cur")); return ;;
                --zone|-z) COMPREPLY=($(compgen -W "UTC $(cd /usr/share/zoneinfo 2>/dev/null && find . -type f -name '[A-Z]*' | sed 's|^\\./||' | grep -v '^posix\\|^right')" -- "$cur")); return ;;
                --config|--token-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
            esac
            if [[ -n "$prev" && "$prev" == --* && "|$valued|" == *"|$prev|"* ]]; then return; fi
            if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            elif [[ -n "$subs" ]]; then
                COMPREPLY=($(compgen -W "$subs" -- "$cur"))
            elif [[ -n "$kind" ]]; then
                COMPREPLY=($(compgen -W "$(batchctl "${global[@]}" completion words "$kind" 2>/dev/null)" -- "$cur"))
            fi
        }
        __batchctl_spec() {
            case "$1" in
        \(cases)        *) opts=""; subs=""; valued=""; kind="" ;;
            esac
        }
        complete -F _batchctl batchctl

        """
    }
}
