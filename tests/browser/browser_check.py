#!/usr/bin/python3
"""Label browser: headless Chromium renders the calendar pages (R17).

usage: browser_check.py SALA_BIN SCENARIO OUT_DIR

Writes the month and week pages with `sala calendar`, then for each page:
  1. chromium --dump-dom: the DOM Chromium built holds the expected number of
     webinar boxes (class="webinar ..."), and the <script> title is text;
  2. a copy of the page with a small script appended that counts the boxes
     Chromium actually laid out (non-zero size) and writes the count into
     document.title, read back with --dump-dom;
  3. a screenshot (OUT_DIR/*.png), checked to be a non-trivial PNG.
Exit 0 on success, 1 on a failed check, 77 when chromium is not installed
(ctest SKIP_RETURN_CODE).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(exe, *args):
    profile = tempfile.mkdtemp(prefix="sala-chromium-")
    try:
        p = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                           capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


COUNTER = """<script>
window.addEventListener('load', () => {
  const boxes = [...document.querySelectorAll('div.webinar')]
    .filter(b => { const r = b.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const segs = [...document.querySelectorAll('g.segment-set')]
    .filter(g => { const r = g.getBoundingClientRect(); return r.width > 0; });
  document.title = 'laid-out:' + boxes.length + ':' + segs.length;
});
</script>"""


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    sala, scenario, out = sys.argv[1:]
    exe = chromium()
    if not exe:
        print("browser_check: chromium is not installed; skipping (apt-get install chromium)")
        return 77
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([sala, "calendar", "--month", "2021-05", "--out", out, "--scenario", scenario,
                        "--now", "2021-05-13 11:00", "--heading", "Symposium"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        print("browser_check: sala calendar failed:", p.stderr)
        return 1
    # Expected boxes: May's grid shows all 9 webinars of the scenario; the week
    # of 10 May shows the 7 of 13-14 May, each also as one timeline bar.
    pages = {"month-2021-05.html": (9, 0), "week-2021-05-10.html": (7, 7)}
    problems = []
    for name, (boxes, segments) in pages.items():
        page = os.path.join(out, name)
        rc, dom = run_chromium(exe, "--dump-dom", "file://" + page)
        n = len(re.findall(r'<div class="webinar ', dom))
        if rc != 0 or n != boxes:
            problems.append(f"{name}: chromium rc {rc}, {n} boxes in the DOM, want {boxes}")
        if "<script>alert" in dom:
            problems.append(f"{name}: the <script> title became markup")
        if name.startswith("month") and "&lt;script&gt;alert" not in dom:
            problems.append(f"{name}: the <script> title is not shown as text")
        probe = os.path.join(out, "probe-" + name)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        with open(probe, "w", encoding="utf-8") as f:
            f.write(html.replace("</body>", COUNTER + "</body>"))
        rc, dom = run_chromium(exe, "--dump-dom", "--window-size=1400,1000", "file://" + probe)
        m = re.search(r"<title>laid-out:(\d+):(\d+)</title>", dom)
        if not m or (int(m.group(1)), int(m.group(2))) != (boxes, segments):
            problems.append(f"{name}: laid out {m.groups() if m else 'nothing (script did not run)'}, "
                            f"want ({boxes}, {segments})")
        png = os.path.join(out, name.replace(".html", ".png"))
        if os.path.exists(png):
            os.remove(png)
        height = "1000" if name.startswith("month") else "1500"
        rc, _ = run_chromium(exe, f"--window-size=1400,{height}", f"--screenshot={png}", "file://" + page)
        if rc != 0 or not os.path.exists(png):
            problems.append(f"{name}: no screenshot (rc {rc})")
        else:
            with open(png, "rb") as f:
                head = f.read(8)
            size = os.path.getsize(png)
            if head != b"\x89PNG\r\n\x1a\n" or size < 20000:
                problems.append(f"{name}: screenshot is not a real PNG page ({size} bytes)")
            else:
                print(f"browser_check: {name}: {boxes} boxes, screenshot {png} ({size} bytes)")
    for p in problems:
        print("browser_check:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
