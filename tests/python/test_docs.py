"""docs/python.md's example (the README's too, when it has one) runs as written."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("SALA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def run(code, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, "-W", "error", str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env=os.environ.copy())


def test_the_docs_example_runs_as_written(tmp_path):
    blocks = [b for b in python_blocks(ROOT / "docs" / "python.md") if "import sala" in b]
    assert blocks, "docs/python.md has no runnable example"
    example = blocks[0]
    assert len(example.strip().splitlines()) <= 15
    res = run(example, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "symposiumwebinar09" in res.stdout and "08:30-13:21" in res.stdout
    # The same file ships as examples/python/readme_example.py.
    assert (ROOT / "examples" / "python" / "readme_example.py").read_text(encoding="utf-8") == example


def test_the_readme_python_example_runs_as_written(tmp_path):
    readme = ROOT / "README.md"
    blocks = [b for b in python_blocks(readme) if "import sala" in b] if readme.exists() else []
    if not blocks:
        pytest.skip("README.md has no Python example yet")
    for code in blocks:
        res = run(code, tmp_path)
        assert res.returncode == 0, res.stderr
