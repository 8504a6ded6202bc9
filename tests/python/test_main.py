"""`python -m sala --version` (issue 18): which sala this interpreter imports."""

import os
import subprocess
import sys

import sala


def run(*args):
    return subprocess.run([sys.executable, "-m", "sala", *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))


def test_version_names_the_module_and_where_it_is():
    p = run("--version")
    assert p.returncode == 0
    assert p.stdout.startswith(f"sala {sala.__version__} (") and sala.__file__ in p.stdout


def test_anything_else_is_a_usage_error():
    p = run("--frobnicate")
    assert p.returncode == 2 and "usage: python -m sala --version" in p.stderr
