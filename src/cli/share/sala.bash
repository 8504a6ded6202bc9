# bash completion for `sala` (installed as share/bash-completion/completions/sala).
# Commands, their options and the words a few of them take; files after options
# that name one. Keep in step with `sala --help` (tests/cli/completion.sh checks).

_sala() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="plan calendar ics make-room simulate serve token accounts rooms queue requests submit assign
        reassign cancel retry settings credentials problems report --help --version"
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
        --db|--out|--scenario|--save-db|--config|--server-db)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return ;;
        --csv) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --state) mapfile -t COMPREPLY < <(compgen -W "assigned queued" -- "$cur"); return ;;
        --role) mapfile -t COMPREPLY < <(compgen -W "admin organizer platform" -- "$cur"); return ;;
        mode) mapfile -t COMPREPLY < <(compgen -W "automatic manual" -- "$cur"); return ;;
    esac
    local store="--db --pg --json --config --help" words
    case $cmd in
        plan) words="--preparation --courtesy --post --help" ;;
        calendar) words="--month --day --out --zone --heading --db --scenario --now --help" ;;
        ics) words="--room --all --out --utc --domain --db --scenario --now --help" ;;
        make-room) words="--request --max-moves --apply --db --scenario --now --help" ;;
        simulate) words="--out --quiet --save-db --help" ;;
        serve) words="--config --db --pg --listen --server-db --help" ;;
        token) words="create list revoke --db --server-db --role --email --name --help" ;;
        accounts) words="list users link relink --kind $store" ;;
        rooms) words="list activate deactivate mode $store" ;;
        credentials) words="--now $store" ;;
        submit) words="--csv --title --start --zone --duration --event-id --organizer-email --organizer-name
            --admission --choose $store" ;;
        requests) words="--state --organizer --room --event-id $store" ;;
        settings)
            words="show set $store min_days_in_advance= max_days_in_advance= min_duration=
                max_duration= preparation= courtesy= post_processing= credentials_lead= end_warning_lead="
            compopt -o nospace 2>/dev/null ;;
        *) words=$store ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -F _sala sala
