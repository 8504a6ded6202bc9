"""`cmake --install` puts the package where /usr/bin/python3 looks for prefix /usr/local,
and the installed package imports from any folder."""

import os
import pathlib
import subprocess

import pytest

BUILD = os.environ.get("SALA_BUILD_DIR")


@pytest.mark.skipif(not BUILD, reason="needs SALA_BUILD_DIR (set by ctest)")
def test_install_into_a_directory_the_interpreter_searches(tmp_path):
    env = dict(os.environ, DESTDIR=str(tmp_path / "root"))
    subprocess.run(["cmake", "--install", BUILD, "--component", "python", "--prefix", "/usr/local"], check=True,
                   env=env, capture_output=True, timeout=120)
    searched = subprocess.run(["/usr/bin/python3", "-c", "import sys; print('\\n'.join(sys.path))"], check=True,
                              capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}).stdout.split()
    installed = sorted((tmp_path / "root").rglob("_sala*.so"))
    assert len(installed) == 1
    site = installed[0].parent.parent
    target = "/" + str(site.relative_to(tmp_path / "root"))
    assert target in searched, f"{target} is not on /usr/bin/python3's path for /usr/local"
    for f in ("__init__.py", "__init__.pyi", "py.typed"):
        assert (site / "sala" / f).is_file()
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(["/usr/bin/python3", "-c", "import sala; print(sala.__file__); print(sala.RoomMode.AUTOMATIC)"],
                         cwd="/", env=clean, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [str(site / "sala" / "__init__.py"), "RoomMode.AUTOMATIC"]
