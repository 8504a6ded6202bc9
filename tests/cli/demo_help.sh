#!/usr/bin/env bash
# ./scripts/demo --help prints its help before it installs or builds anything
# (issue 18): run against a copy whose scripts/deps fails, so any install or
# build attempt would fail the test; without --help the same copy must fail.
set -euo pipefail
src="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/scripts"
cp "$src/scripts/demo" "$tmp/scripts/demo"
printf '#!/usr/bin/env bash\necho "deps ran" >&2\nexit 7\n' > "$tmp/scripts/deps"
chmod +x "$tmp/scripts/deps"
out=$("$tmp/scripts/demo" --help)
grep -q '^usage: ./scripts/demo' <<<"$out" || { echo "no usage line in: $out"; exit 1; }
grep -q -- '--fresh' <<<"$out" || { echo "--fresh not described"; exit 1; }
[ ! -e "$tmp/build" ] || { echo "--help created build/"; exit 1; }
if "$tmp/scripts/demo" >/dev/null 2>&1; then echo "without --help the stub deps should have failed it"; exit 1; fi
echo "demo --help: ok"
