import BatchCore

/// zsh and fish completion, made from the same command declaration as bash's; names that live
/// in Redis come from `batchctl completion words KIND`, as in bash.
extension Completion {
    /// Every command path, joined by spaces, with the options it takes (its own and its parents'), depth first.
    static func paths(_ spec: CommandSpec<CommandHandler>) -> [(path: String, command: CommandSpec<CommandHandler>, options: [OptionSpec])] {
        spec.walk().map { ($0.path.joined(separator: " "), $0.command, $0.options) }
    }

    /// Options that take a value, long and short spellings (their value is no command).
    static func valuedSpellings(_ options: [OptionSpec]) -> [String] {
        options.filter { !$0.isFlag }.flatMap { o in ["--\(o.long)"] + (o.short.map { ["-\($0)"] } ?? []) }
    }

    /// `'text'` for zsh and POSIX shells.
    static func zshQuoted(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }

    /// `'text'` for fish (backslash and single quote escaped inside).
    static func fishQuoted(_ s: String) -> String {
        "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// A zsh script defining `_batchctl` (autoloadable as a `#compdef` file, or sourced).
    static func zshScript(spec: CommandSpec<CommandHandler>) -> String {
        var cases = ""
        for (path, command, options) in paths(spec) {
            func described(_ name: String, _ help: String) -> String {
                zshQuoted(name.replacing(":", with: "\\:") + ":" + help)
            }
            let opts = (options.map { described("--\($0.long)", $0.help) } + [described("--help", "Show help.")]).joined(separator: " ")
            let subs = command.subcommands.map { described($0.name, $0.abstract) }.joined(separator: " ")
            let valued = valuedSpellings(options).joined(separator: " ")
            cases += "        \(zshQuoted(path))) opts=(\(opts)); subs=(\(subs)); valued=(\(valued)); kind=\(zshQuoted(argumentKind(command) ?? "")) ;;\n"
        }
        let states = ExecutionState.allCases.map(\.rawValue).joined(separator: " ")
        return """
        #compdef batchctl
        # zsh completion for batchctl; made by 'batchctl completion zsh'.
        # Install: batchctl completion zsh > /usr/local/share/zsh/site-functions/_batchctl
        # or add to ~/.zshrc (after compinit): source <(batchctl completion zsh)
        __batchctl_spec() {
            case "$1" in
        \(cases)        *) opts=(); subs=(); valued=(); kind='' ;;
            esac
        }
        _batchctl() {
            local cmdpath='' w i prev kind
            local -a opts subs valued global names plain
            # Options that reach Redis, to ask the same deployment for names.
            for ((i = 2; i < CURRENT; i++)); do
                w=${words[i]}
                case $w in
                    --redis|--namespace|--config) global+=($w ${words[i+1]}); ((i++)); continue ;;
                    -*) __batchctl_spec "$cmdpath"; (( ${valued[(Ie)$w]} )) && ((i++)); continue ;;
                esac
                __batchctl_spec "$cmdpath"
                plain=(${subs[@]%%:*})
                (( ${plain[(Ie)$w]} )) && cmdpath=${cmdpath:+$cmdpath }$w
            done
            __batchctl_spec "$cmdpath"
            prev=${words[CURRENT-1]}
            case $prev in
                --state|-s) compadd -- \(states); return ;;
                --job|-j) names=(${(f)"$(batchctl $global completion words jobs 2>/dev/null)"}); compadd -a names; return ;;
                --config|--token-file) _files; return ;;
            esac
            (( ${valued[(Ie)$prev]} )) && return
            if [[ $PREFIX == -* ]]; then
                _describe -t options option opts
            elif (( $#subs )); then
                _describe -t commands command subs
            elif [[ -n $kind ]]; then
                names=(${(f)"$(batchctl $global completion words $kind 2>/dev/null)"})
                compadd -a names
            fi
        }
        if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
            _batchctl "$@"
        else
            compdef _batchctl batchctl
        fi

        """
    }

    /// A fish script of `complete` lines for `batchctl`.
    static func fishScript(spec: CommandSpec<CommandHandler>) -> String {
        let all = paths(spec)
        var subsCases = "", valuedCases = ""
        var lines = ""
        for (path, command, options) in all {
            let at = "'__batchctl_at \(fishQuoted(path).replacing("'", with: "\""))'"
            if !command.subcommands.isEmpty {
                subsCases += "        case \(fishQuoted(path))\n            printf '%s\\n' \(command.subcommands.map { fishQuoted($0.name) }.joined(separator: " "))\n"
            }
            let valued = valuedSpellings(options)
            if !valued.isEmpty {
                valuedCases += "        case \(fishQuoted(path))\n            printf '%s\\n' \(valued.map(fishQuoted).joined(separator: " "))\n"
            }
            for s in command.subcommands {
                lines += "complete -c batchctl -n \(at) -a \(fishQuoted(s.name)) -d \(fishQuoted(s.abstract))\n"
            }
            for o in options {
                var line = "complete -c batchctl -n \(at) -l \(o.long)"
                if let s = o.short { line += " -s \(s)" }
                switch o.long {
                case _ where o.isFlag: break
                case "state": line += " -x -a \(fishQuoted(ExecutionState.allCases.map(\.rawValue).joined(separator: " ")))"
                case "job": line += " -x -a '(batchctl (__batchctl_global) completion words jobs 2>/dev/null)'"
                case "config", "token-file": line += " -r -F"
                default: line += " -x"
                }
                lines += line + " -d \(fishQuoted(o.help))\n"
            }
            if let kind = argumentKind(command) {
                lines += "complete -c batchctl -n \(at) -a '(batchctl (__batchctl_global) completion words \(kind) 2>/dev/null)'\n"
            }
        }
        return """
        # fish completion for batchctl; made by 'batchctl completion fish'.
        # Install: batchctl completion fish > /usr/share/fish/vendor_completions.d/batchctl.fish
        # or: batchctl completion fish | source
        complete -c batchctl -e
        complete -c batchctl -f
        function __batchctl_subs
            switch $argv[1]
        \(subsCases)    end
        end
        function __batchctl_valued
            switch $argv[1]
        \(valuedCases)    end
        end
        # The command path typed so far ("", "breakers", "breakers reset", ...).
        function __batchctl_path
            set -l tokens (commandline -opc)
            set -e tokens[1]
            set -l cmdpath ''
            set -l skip 0
            for w in $tokens
                if test $skip = 1
                    set skip 0
                    continue
                end
                switch $w
                    case '--*=*'
                        continue
                    case '-*'
                        if contains -- $w (__batchctl_valued "$cmdpath")
                            set skip 1
                        end
                        continue
                end
                if contains -- $w (__batchctl_subs "$cmdpath")
                    set cmdpath (string trim -- "$cmdpath $w")
                end
            end
            echo $cmdpath
        end
        function __batchctl_at
            test (__batchctl_path) = "$argv[1]"
        end
        # --redis, --namespace and --config as typed, to ask the same deployment for names.
        function __batchctl_global
            set -l tokens (commandline -opc)
            for i in (seq 2 (count $tokens))
                switch $tokens[$i]
                    case --redis --namespace --config
                        set -l next (math $i + 1)
                        if test $next -le (count $tokens)
                            printf '%s\\n' $tokens[$i] $tokens[$next]
                        end
                end
            end
        end
        \(lines)
        """
    }
}
