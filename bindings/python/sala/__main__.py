"""`python -m sala --version`: which sala this interpreter imports, and from where."""

from __future__ import annotations

import sys

import sala


def main(argv: list[str]) -> int:
    if argv in (["--version"], ["-V"]):
        print(f"sala {sala.__version__} ({sala.__file__})")
        return 0
    print("usage: python -m sala --version\n(the HTTP service is python -m sala.server; see docs/server.md)",
          file=sys.stderr if argv else sys.stdout)
    return 2 if argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
