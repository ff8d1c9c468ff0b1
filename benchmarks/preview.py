"""The preview loop as the editor sees it: save -> the browser's preview page showing the
change (no assertions: it prints figures).

Run from the repository: .venv/bin/python benchmarks/preview.py [--repeat 7] [--jobs 1]
[--minimal]

A warm `ketabrochure serve` on a throw-away copy of the project (the real one, or with
--minimal the 8 documents of tests/data/minimal/), Debian's chromium (playwright) showing
/preview/handout-ptsd-letter-en, then --repeat saves of one word on the handout's first page
(a new word each time, after one warm-up save). For each save it prints the seconds from the
save to: the open document's new PDF on disk, and the page showing the change (every page
picture the page shows is the new version's and has loaded); the difference (what serve and
the browser add to typesetting); and which page pictures the browser fetched (an edit on
page 1 should fetch page 1 only). Load on a shared machine moves every figure: compare runs
made one after the other.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
OPEN = "handout-ptsd-letter-en"
CHROMIUM = os.environ.get("KETABROCHURE_CHROMIUM", "/usr/bin/chromium")
TARGET = 1.0  # seconds from save to the page showing the change (median)
WORDS = ("scary", "sad", "odd", "dark", "vivid", "strange", "awful", "loud", "grim", "wild",
         "long", "bad")  # one new word per save: no save finds its PDF in the render cache
SHOWN = """() => {
  const pages = [...document.querySelectorAll('img.page')];
  return pages.length > 0 && pages.every(i => i.complete && i.naturalWidth > 0)
    && pages.map(i => i.getAttribute('src')).join(' ');
}"""


def project(target: Path, minimal: bool) -> Path:
    source = REPO / "tests" / "data" / "minimal" if minimal else REPO
    shutil.copytree(source / "content", target / "content")
    for folder in ("layouts", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def edit(root: Path, count: int) -> None:
    """One word of the handout's condition text (its first page), a new word each time."""
    path = root / "content/handouts/ptsd.yaml"
    text = path.read_text()
    old = next(f"You may have {w} dreams" for w in WORDS if f"You may have {w} dreams" in text)
    path.write_text(text.replace(old, f"You may have {WORDS[count % len(WORDS)]} dreams", 1))


def start(root: Path, jobs: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ketabrochure", "--project", str(root), "serve", "--port",
             "0", "--jobs", str(jobs)], stdout=out, stderr=subprocess.STDOUT)
    while not (found := re.search(r"at (http://\S+/)", log.read_text())):
        if server.poll() is not None:
            raise SystemExit(log.read_text())
        time.sleep(0.05)
    return server, found[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=7, help="saves measured (after one warm-up)")
    p.add_argument("--jobs", type=int, default=1, help="serve's --jobs")
    p.add_argument("--minimal", action="store_true", help="the 8-document minimal project")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ketapreview-") as tmp:
        root = project(Path(tmp) / "project", args.minimal)
        root.joinpath("content/handouts/ptsd.yaml").write_text(
            root.joinpath("content/handouts/ptsd.yaml").read_text()
            .replace("You may have bad dreams", "You may have scary dreams", 1))
        server, url = start(root, args.jobs, Path(tmp) / "serve.log")
        pdf = root / "out" / f"{OPEN}.pdf"
        to_disk, to_view, fetched = [], [], []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                requests: list[tuple[float, str]] = []
                page.on("request", lambda r: requests.append((time.perf_counter(), r.url)))
                while not pdf.exists():  # the first build
                    time.sleep(0.2)
                page.goto(url + f"preview/{OPEN}")
                shown = page.wait_for_function(SHOWN, timeout=120_000).json_value()
                for i in range(args.repeat + 1):
                    before = pdf.stat().st_mtime_ns
                    edit(root, i + 1)
                    saved = time.perf_counter()
                    while pdf.stat().st_mtime_ns == before:
                        time.sleep(0.002)
                    on_disk = time.perf_counter() - saved
                    old = shown
                    page.wait_for_function(
                        f"() => {{ const s = ({SHOWN})(); return s && s !== {old!r}; }}",
                        timeout=120_000, polling=5)
                    in_view = time.perf_counter() - saved
                    shown = page.evaluate(f"({SHOWN})()")
                    pictures = sorted({re.sub(r".*/_page/[^/]+/(\d+)\.png.*", r"\1", u)
                                       for t, u in requests if t > saved and "/_page/" in u})
                    if i:  # the first save is the warm-up (the first typesetting)
                        to_disk.append(on_disk)
                        to_view.append(in_view)
                        fetched.append(",".join(pictures) or "none")
                    time.sleep(1.5)  # let the rest of the build finish before the next save
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(60)
    median = statistics.median(to_view)
    print(f"preview: warm `serve --jobs {args.jobs}` on "
          f"{'the minimal project' if args.minimal else 'the project'}, chromium showing "
          f"/preview/{OPEN}, {args.repeat} saves of one word on its first page")
    print(f"  save -> new PDF on disk:              median {statistics.median(to_disk):.2f} s  "
          f"runs {[round(t, 2) for t in to_disk]}")
    print(f"  save -> the page showing the change:  median {median:.2f} s  "
          f"runs {[round(t, 2) for t in to_view]}")
    after = [view - disk for view, disk in zip(to_view, to_disk, strict=True)]
    print(f"  new PDF -> the page showing it:       median {statistics.median(after):.2f} s  "
          f"runs {[round(t, 2) for t in after]} (serve and the browser, not typesetting)")
    print(f"  page pictures fetched per save: {fetched}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  target: under {TARGET:.0f} s to the page showing the change: "
          f"{'met' if median < TARGET else 'missed'}")


if __name__ == "__main__":
    main()
