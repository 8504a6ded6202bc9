#!/usr/bin/env bash
# Label cli: the bash completion offers every command `sala --help` lists and
# the words a few commands take; the man page (help2man) names them too.
# usage: completion.sh SOURCE_DIR SALA_BIN [MAN_PAGE]
set -euo pipefail
src=$1 bin=$2 man=${3:-}
# shellcheck source=/dev/null
source "$src/src/cli/share/sala.bash"
fail=0
complete_words() {  # the words completion offers after the given command line
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _sala
    echo "${COMPREPLY[*]}"
}
expect() {  # expect "what it offers" words...
    local want=$1; shift
    local got; got=$(complete_words "$@")
    if [ "$got" != "$want" ]; then echo "completion of '$*': got '$got', want '$want'"; fail=1; fi
}
expect "requests reassign retry report" sala re
expect "rooms" sala roo
expect "automatic manual" sala rooms mode ""
expect "assigned queued" sala requests --state ""
expect "--event-id" sala requests --ev
expect "courtesy= credentials_lead=" sala settings c
# Every command in the help (lines "  name ..." in the Commands and admin parts).
commands=$("$bin" --help | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
[ -n "$commands" ] || { echo "no commands read from sala --help"; exit 1; }
offered=" $(complete_words sala "") "
for c in $commands; do
    case $offered in *" $c "*) ;; *) echo "sala --help lists '$c' but completion does not offer it"; fail=1 ;; esac
    if [ -n "$man" ] && ! grep -q "^$(printf '%s' "$c" | sed 's/-/\\\\-/g')\b" "$man"; then
        echo "the man page $man does not list '$c'"; fail=1
    fi
done
if [ -n "$man" ]; then grep -q '^\.TH SALA "1"' "$man" || { echo "$man: no .TH header"; fail=1; }; fi
exit $fail
