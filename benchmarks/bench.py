"""Build speed and memory, printed as ratios to bare WeasyPrint on the same HTML (no assertions).

Run from the repository: .venv/bin/python benchmarks/bench.py [--repeat 3] [--scale 5,20,50]
[--editor]

Everything runs on a throw-away copy of the project in a temporary folder, each command in its
own process, timed by wall clock (the median of --repeat runs). Peak memory is read two ways:
the largest single process (getrusage of the children) and the whole process tree (the main
process plus its workers, summed, sampled every 10 ms from /proc).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STUDY = "feder2014"  # the study edited in the one-study benchmark
# the engine's targets: cold builds against bare WeasyPrint on the same HTML, (c) and (b);
# the no-op against (a) and in seconds, --help in seconds, memory, the scale run
TARGETS = {"cold": 0.85, "jobs1": 0.9, "noop": 0.005, "noop_s": 0.3, "help_s": 0.15,
           "memory_mb": 300, "flat": 1.2, "marginal_ms": 60}


def copy_project(target: Path) -> Path:
    """The project as a fresh clone has it: its folders and its committed fits.json."""
    for folder in ("content", "layouts", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    if (REPO / "fits.json").is_file():
        shutil.copy2(REPO / "fits.json", target / "fits.json")
    return target


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return total


def tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants, in kB: a page shared by n of
    them (libraries, what a forked worker still shares with its parent) counts 1/n in each,
    so the sum is what the build really occupies; RSS summed counts shared pages n times."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(re.search(r"^Pss:\s+(\d+)", rollup, re.MULTILINE).group(1))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return total


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int, int, str, int]:
    """Wall seconds, peak tree RSS (kB, sampled), peak single-process RSS (kB), stdout, and
    peak tree PSS (kB, sampled every 10th time: reading it costs the kernel more)."""
    wrapper = ("import resource, subprocess, sys; "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
               "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(p.returncode)")
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-c", wrapper, *command], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, pss = [0], [0]

    def sample() -> None:
        count = 0
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss(process.pid))
            if count % 10 == 0:
                pss[0] = max(pss[0], tree_pss(process.pid))
            count += 1
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{out}\n{err}")
    maxrss = int(out.rsplit("MAXRSS", 1)[1])
    return seconds, peak[0], maxrss, out, pss[0]


def cli(root: Path, *args: str) -> list[str]:
    return [PYTHON, "-m", "ketabrochure", "--project", str(root), "build", *args]


def repeated(times: int, prepare, command: list[str]) -> dict:
    """Median wall time and the largest peaks over `times` runs."""
    results = []
    for _ in range(times):
        prepare()
        results.append(run(command))
    return {"seconds": statistics.median(r[0] for r in results),
            "best": min(r[0] for r in results),
            "runs": [round(r[0], 2) for r in results],
            "tree_kb": max(r[1] for r in results), "maxrss_kb": max(r[2] for r in results),
            "pss_kb": max(r[4] for r in results), "stdout": results[-1][3]}


def edit_study(root: Path, flip: list[bool]) -> None:
    """Change one word of a study's title (alternating, so every run really changes it)."""
    path = root / f"content/studies/{STUDY}.yaml"
    text = path.read_text()
    old, new = ("Chronic Posttraumatic", "Chronic, Posttraumatic")
    path.write_text(text.replace(*((old, new) if not flip[0] else (new, old)), 1))
    flip[0] = not flip[0]


def fingerprints(root: Path) -> dict[str, str]:
    """Each planned document's HTML (every alternative and part), as the build renders it."""
    sys.path.insert(0, str(REPO / "src"))
    from ketabrochure import kinds, layouts
    from ketabrochure.build import run as build
    from ketabrochure.diagnostics import Diagnostics

    diags = Diagnostics()
    project, documents = build.load(root, diags)
    assert project is not None
    env = layouts.environment(root, kinds.FILTERS)
    found = {}
    for d in documents:
        parts = kinds.kind_of(d).parts(d, project, env, diags) or []
        found[d.name] = "\0".join(html for part in parts for html in part.htmls)
    return found


def citing_documents(root: Path) -> int:
    """How many documents the study edit changes (what the rebuild should re-render)."""
    before = fingerprints(root)
    flip = [False]
    edit_study(root, flip)
    after = fingerprints(root)
    edit_study(root, flip)
    return sum(before[name] != after.get(name) for name in before)


def watch_latency(root: Path, jobs: int, times: int) -> float:
    """Seconds from a saved study edit to rebuilt PDFs in a warm `watch` (after one warm-up)."""
    import io

    sys.path.insert(0, str(REPO / "src"))
    from ketabrochure.build import run as build
    from ketabrochure.build.watch import Watcher

    watcher = Watcher(root, build.Options(jobs=jobs), io.StringIO(), io.StringIO())
    flip, seconds = [False], []
    try:
        watcher.step()
        for i in range(times + 1):
            edit_study(root, flip)
            started = time.perf_counter()
            watcher.step()
            if i:  # the first edit starts the workers
                seconds.append(time.perf_counter() - started)
    finally:
        watcher.close()
    return statistics.median(seconds)


SPLIT_LOOP = """import subprocess, sys
jobs, files = int(sys.argv[1]), sys.argv[2:]
shares = [[] for _ in range(jobs)]
for f in files:  # sorted longest first: each to the share with the least so far
    min(shares, key=lambda s: sum(size for size, _ in s)).append((len(open(f).read()), f))
loop = "import sys, weasyprint\\nfor f in sys.argv[1:]: weasyprint.HTML(filename=f).write_pdf()"
procs = [subprocess.Popen([sys.executable, "-c", loop, *(f for _, f in s)]) for s in shares]
sys.exit(max(p.wait() for p in procs))
"""


def baselines(html_dir: Path, scratch: Path, times: int,
              jobs: int) -> tuple[dict, dict, dict]:
    """(a) the `weasyprint` command once per HTML file; (b) one process, HTML().write_pdf() each;
    (c) loop (b) split over `jobs` processes at once (the files dealt out longest first): what
    bare WeasyPrint makes of the same HTML on this machine's cores, a floor for the build."""
    files = sorted(str(p) for p in html_dir.glob("*.html"))
    weasyprint = str(Path(PYTHON).parent / "weasyprint")
    script = scratch / "commands.sh"
    script.write_text("set -e\n" + "".join(f"{weasyprint} {f} {scratch}/a.pdf\n" for f in files))
    per_file = repeated(times, lambda: None, ["bash", str(script)])
    loop = ("import sys, weasyprint\n"
            "for f in sys.argv[1:]:\n"
            "    weasyprint.HTML(filename=f).write_pdf()\n")
    in_process = repeated(times, lambda: None, [PYTHON, "-c", loop, *files])
    by_size = sorted(files, key=lambda f: -Path(f).stat().st_size)
    split = repeated(times, lambda: None, [PYTHON, "-c", SPLIT_LOOP, str(jobs), *by_size])
    return per_file, in_process, split


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def speed(times: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ketabench-") as tmp:
        root = copy_project(Path(tmp) / "project")
        out = root / "out"
        run(cli(root, "--html", "--no-cache"))  # the HTML for the baselines, and warm disk caches
        html_dir = Path(tmp) / "html"
        shutil.copytree(out / "html", html_dir)
        count = len(list(html_dir.glob("*.html")))

        def clean() -> None:
            shutil.rmtree(out, ignore_errors=True)

        cold1 = repeated(times, clean, cli(root, "--jobs", "1"))
        coldn = repeated(times, clean, cli(root, "--jobs", str(jobs)))
        noop = repeated(times, lambda: None, cli(root, "--jobs", str(jobs)))
        usage = repeated(times, lambda: None, [PYTHON, "-m", "ketabrochure", "--help"])
        expected = citing_documents(root)
        flip = [False]
        edit = repeated(times, lambda: edit_study(root, flip), cli(root, "--jobs", str(jobs)))
        rendered = int(re.search(r"build passed: \d+ documents \((\d+) rendered",
                                 edit["stdout"]).group(1))
        per_file, in_process, split = baselines(html_dir, Path(tmp), times, jobs)
        warm = watch_latency(root, jobs, times)

    base, loop = per_file["seconds"], in_process["seconds"]
    print(f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), "
          f"{count} HTML files in out/html/ (a referral packet, several parts, is not one), "
          f"{times} runs each, --jobs N = {jobs}; ratios of medians, "
          "and [of best runs] (the best run is the least disturbed by other load)")
    print(f"baseline (a) weasyprint command per file: {base:6.2f} s  runs {per_file['runs']}")
    print(f"baseline (b) in-process write_pdf loop:   {loop:6.2f} s  runs {in_process['runs']}")
    print(f"baseline (c) loop (b) on {jobs} processes:      {split['seconds']:6.2f} s "
          f"= {split['seconds'] / base:5.3f} x (a): bare WeasyPrint's floor on these cores  "
          f"runs {split['runs']}")
    rows = [("cold build --jobs 1", cold1), (f"cold build --jobs {jobs}", coldn),
            ("no-op rebuild", noop), (f"rebuild after editing {STUDY}", edit)]
    for label, r in rows:
        print(f"{label:32s} {r['seconds']:6.2f} s  = {r['seconds'] / base:5.3f} "
              f"[{r['best'] / per_file['best']:5.3f}] x (a)  {r['seconds'] / loop:5.2f} "
              f"[{r['best'] / in_process['best']:5.2f}] x (b)  peak {mb(r['tree_kb'])} all "
              f"processes (PSS {mb(r['pss_kb'])}), {mb(r['maxrss_kb'])} largest  "
              f"runs {r['runs']}")
    print(f"watch, one-study edit once warm (median of {times}): {warm:.2f} s "
          f"= {warm / base:.3f} x (a)")
    print("targets (median [best]):")
    for label, r, ref, target in (
            (f"cold --jobs {jobs} <= {TARGETS['cold']} x (c)", coldn, split, TARGETS["cold"]),
            (f"--jobs 1 <= {TARGETS['jobs1']} x (b)", cold1, in_process, TARGETS["jobs1"]),
            (f"no-op <= {TARGETS['noop']} x (a)", noop, per_file, TARGETS["noop"])):
        median, best = r["seconds"] / ref["seconds"], r["best"] / ref["best"]
        print(f"  {label}: {median:.3f} {verdict(median <= target)} "
              f"[{best:.3f} {verdict(best <= target)}]")
    for label, r, limit in ((f"no-op under {TARGETS['noop_s']} s", noop, TARGETS["noop_s"]),
                            (f"--help under {TARGETS['help_s']} s", usage, TARGETS["help_s"])):
        print(f"  {label}: {r['seconds']:.3f} s {verdict(r['seconds'] < limit)} "
              f"[{r['best']:.3f} s {verdict(r['best'] < limit)}] (on an idle machine)")
    print(f"  one-study edit renders only the {expected} documents whose HTML it changes: "
          f"rendered {rendered} "
          f"{verdict(rendered == expected)}")
    peak = max(r["tree_kb"] for _, r in rows)
    pss = max(r["pss_kb"] for _, r in rows)
    print(f"  peak memory < {TARGETS['memory_mb']} MB: {mb(peak)} (all processes of a build, "
          f"RSS summed) {verdict(peak / 1024 < TARGETS['memory_mb'])}; PSS summed (shared "
          f"pages once): {mb(pss)} {verdict(pss / 1024 < TARGETS['memory_mb'])}")


SYNTHETIC = """{% extends "_shared/base.html.j2" %}
{% block title %}{{ condition.name }}: a synthetic patient handout{% endblock %}
{% block stylesheets %}<link rel="stylesheet" href="../evidence-sheet/paper-{{ paper }}.css">{% endblock %}
{% block body %}<h1>{{ condition.name }}</h1><p>{{ condition.bottom_line }}</p>
<p>{{ location.name }} · {{ location.address | join(", ") }} · {{ location.phone }}</p>
{% endblock %}
"""


def scale_project(target: Path, locations: int) -> Path:
    """The project, with N locations and (if it has no patient layout yet) a synthetic one."""
    root = copy_project(target)
    lines = ["locations:"]
    for i in range(locations):
        lines += [f"  - id: site-{i + 1:02d}", f"    name: Northside site {i + 1}",
                  f"    address: [{100 + i} Main Street, \"Portland, OR 97201\"]",
                  f"    phone: (503) 555-{1000 + i}"]
    with (root / "content/clinic.yaml").open("a") as handle:
        handle.write("\n".join(lines) + "\n")
    patient = [p for p in (root / "layouts").glob("*/layout.yaml")
               if "audience: patient" in p.read_text()]
    if not patient:
        folder = root / "layouts/synthetic-handout"
        folder.mkdir()
        (folder / "layout.yaml").write_text("template: handout.html.j2\nsubjects: conditions\n"
                                            "audience: patient\n")
        (folder / "handout.html.j2").write_text(SYNTHETIC)
        with (root / "content/documents.yaml").open("a") as handle:
            for language in ("en", "es"):
                handle.write(f"  - layout: synthetic-handout\n    subjects: all\n"
                             f"    papers: [letter, a4]\n    language: {language}\n"
                             f"    pages: {{maximum: 1}}\n")
    return root


def scale(sizes: list[int], jobs: int) -> None:
    print(f"scale: cold build --jobs {jobs} with N clinic locations (patient documents x N)")
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="ketascale-") as tmp:
            root = scale_project(Path(tmp) / "project", n)
            seconds, tree, largest, stdout, pss = run(cli(root, "--jobs", str(jobs)))
            documents = int(re.search(r"build passed: (\d+) documents", stdout).group(1))
        results.append((n, documents, seconds, tree, largest))
        print(f"  {n:3d} locations: {documents:5d} PDFs in {seconds:7.1f} s "
              f"({1000 * seconds / documents:5.1f} ms per PDF), peak {mb(tree)} all processes "
              f"(PSS {mb(pss)}), {mb(largest)} largest process", flush=True)
    (n0, d0, s0, t0, _), (n1, d1, s1, t1, _) = results[0], results[-1]
    print(f"  memory: peak at {n1} locations / peak at {n0} = {t1 / t0:.2f} "
          f"{verdict(t1 / t0 <= TARGETS['flat'])} (<= {TARGETS['flat']})")
    marginal = [1000 * (b[2] - a[2]) / (b[1] - a[1]) for a, b in itertools.pairwise(results)]
    if marginal:
        print(f"  marginal cost per PDF up to {n1} locations: {marginal[-1]:.1f} ms "
              f"{verdict(marginal[-1] <= TARGETS['marginal_ms'])} "
              f"(<= {TARGETS['marginal_ms']} ms)")
    print(f"  time: per-PDF cost at {n1} / at {n0} = {(s1 / d1) / (s0 / d0):.2f} "
          "(1.00 = linear; startup makes the smallest size dearer per PDF); marginal cost "
          f"between sizes: {', '.join(f'{m:.1f}' for m in marginal)} ms per PDF "
          "(equal = linear)")

HANDOUT = "ptsd"  # the handout edited in the editor benchmark
OPEN = f"handout-{HANDOUT}-letter-en"  # the document open in the (simulated) browser
EDITOR_TARGET = 1.0  # seconds from save to the open document's new PDF


WORDS = ("scary", "sad", "odd", "dark", "vivid", "strange", "awful", "loud", "grim", "wild",
         "long", "bad")  # one new word per save: no save finds its PDF in the render cache


def edit_handout(root: Path, count: list[int]) -> None:
    """Change one word of the handout's English condition text, a different word each time."""
    path = root / f"content/handouts/{HANDOUT}.yaml"
    text = path.read_text()
    old = next(f"You may have {w} dreams" for w in WORDS if f"You may have {w} dreams" in text)
    path.write_text(text.replace(old, f"You may have {WORDS[count[0] % len(WORDS)]} dreams", 1))
    count[0] += 1


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (its own, not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def editor(times: int, jobs: int) -> None:
    """A warm `serve`, a page showing the open document (a long-poll loop standing in for the
    browser), and `times` saves of one handout text: seconds from each save to the open
    document's new PDF on disk, and to the page being told (after one warm-up edit)."""
    with tempfile.TemporaryDirectory(prefix="ketaeditor-") as tmp:
        root = copy_project(Path(tmp) / "project")
        cache = REPO / "out" / ".cache"
        if cache.is_dir():  # start warm: the repository's last build's render cache
            shutil.copytree(cache, root / "out" / ".cache")
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [PYTHON, "-m", "ketabrochure", "--project", str(root), "serve", "--port", "0",
                 "--jobs", str(jobs)], stdout=out, stderr=subprocess.STDOUT)
        told: list[tuple[float, str]] = []  # (when, manifest) each time the page was told
        stop = threading.Event()
        try:
            while not (found := re.search(r"at (http://\S+/)", log.read_text())):
                if server.poll() is not None:
                    raise SystemExit(log.read_text())
                time.sleep(0.05)
            url = found[1]

            def state(since: int = -1) -> dict:
                query = f"_version?since={since}&open={OPEN}"
                with urllib.request.urlopen(url + query, timeout=60) as response:
                    return json.load(response)

            def page() -> None:  # the browser tab showing the open document
                since = -1
                while not stop.is_set():
                    try:
                        now = state(since)
                    except OSError:
                        return
                    since = now["generation"]
                    told.append((time.perf_counter(), now["manifest"]))

            while not (now := state())["finished"] or now["building"] is not None:
                time.sleep(0.1)
            first = now["seconds"]
            threading.Thread(target=page, daemon=True).start()
            pdf = root / "out" / f"{OPEN}.pdf"
            count, to_disk, to_page, cpu = [0], [], [], []
            for i in range(times + 1):
                before, manifest = os.stat(pdf).st_mtime_ns, state()["manifest"]
                cpu_before = cpu_seconds(server.pid)
                edit_handout(root, count)
                saved = time.perf_counter()
                while os.stat(pdf).st_mtime_ns == before:
                    time.sleep(0.002)
                on_disk = time.perf_counter() - saved
                cpu_used = cpu_seconds(server.pid) - cpu_before
                while not (news := [when for when, m in told if when > saved and m != manifest]):
                    time.sleep(0.002)
                while state()["building"] is not None:
                    time.sleep(0.02)  # let the rest of the build finish before the next save
                time.sleep(0.5)
                if i:  # the first edit is the warm-up (WeasyPrint's first document)
                    to_disk.append(on_disk)
                    to_page.append(news[0] - saved)
                    cpu.append(cpu_used)
        finally:
            stop.set()
            server.send_signal(signal.SIGINT)
            server.wait(60)
        builds = [line for line in log.read_text().splitlines()
                  if line.startswith(f"build of {OPEN}")]
    print(f"editor: warm `serve --jobs {jobs}`, {OPEN} open in the page, {times} saves of "
          f"content/handouts/{HANDOUT}.yaml after one warm-up (first build {first:.1f} s)")
    print(f"  save -> the open document's new PDF on disk: median {statistics.median(to_disk):.2f} s"
          f"  runs {[round(t, 2) for t in to_disk]}")
    print(f"  save -> the page told of the new manifest:   median {statistics.median(to_page):.2f} s"
          f"  runs {[round(t, 2) for t in to_page]}")
    print(f"  CPU time of serve from save to that PDF:     median {statistics.median(cpu):.2f} s"
          f"  runs {[round(t, 2) for t in cpu]} (wall time on an otherwise idle core)")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  target: under {EDITOR_TARGET:.0f} s to the PDF on disk: "
          f"{verdict(statistics.median(to_disk) < EDITOR_TARGET)}")
    print(f"  serve's own lines for the open document: {builds[-1] if builds else 'none!'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--scale", default="", help="comma-separated location counts, e.g. 5,20,50")
    p.add_argument("--no-speed", action="store_true", help="skip the speed benchmark")
    p.add_argument("--editor", action="store_true",
                   help="the editor's latency: save -> the open document's PDF in a warm serve")
    args = p.parse_args()
    if not args.no_speed:
        speed(args.repeat, args.jobs)
    if args.editor:
        editor(max(args.repeat, 5), args.jobs)
    if args.scale:
        scale([int(n) for n in args.scale.split(",")], args.jobs)


if __name__ == "__main__":
    main()
