"""The CI recipe runs as written: the workflow README.md points to is in the repository, it
installs what scripts/install-system-deps.sh installs for a build (libgs-common among them),
on a Python the package supports, and every ketabrochure command in it parses; the README's
`check NAME` examples name documents that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from ketabrochure.build.plan import select
from ketabrochure.build.run import load
from ketabrochure.cli import parser
from ketabrochure.diagnostics import Diagnostics, UsageError

WORKFLOW = REPO / ".github/workflows/check.yml"


def steps() -> list[dict[str, object]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu-")
    return list(job["steps"])


def script_packages() -> list[str]:
    """The Debian packages the script installs for `build`."""
    script = (REPO / "scripts/install-system-deps.sh").read_text()
    found = re.search(r"^packages=\(([^)]*)\)", script, re.MULTILINE)
    assert found, "the script's package list"
    return found[1].split()


def test_readme_points_to_the_shipped_workflow() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(.github/workflows/check.yml)" in readme
    assert WORKFLOW.is_file()


def test_the_workflow_installs_what_the_script_installs() -> None:
    runs = [str(s["run"]) for s in steps() if "run" in s]
    (apt,) = [r for r in runs if "apt-get install" in r]
    installed = shlex.split(apt.split("apt-get install", 1)[1])
    assert sorted(p for p in installed if not p.startswith("-")) == sorted(script_packages())
    assert "libgs-common" in installed  # the print-shop copies' CMYK profile
    assert "apt-get update" in apt.split("apt-get install")[0]  # a fresh runner's lists are old


def test_the_workflow_python_and_commands_are_the_projects() -> None:
    every = steps()
    python = next(s for s in every if str(s.get("uses", "")).startswith("actions/setup-python"))
    version = str(python["with"]["python-version"])  # type: ignore[index]
    needs = re.search(r'requires-python = ">=(\d+)\.(\d+)"', (REPO / "pyproject.toml").read_text())
    assert needs and tuple(map(int, version.split("."))) >= (int(needs[1]), int(needs[2]))
    runs = [str(s["run"]) for s in every if "run" in s]
    assert any(r.strip().endswith("pip install .") for r in runs)
    commands = [shlex.split(r)[1:] for r in runs if r.startswith("ketabrochure ")]
    assert [c[0] for c in commands] == ["check", "build"]
    for args in commands:
        parser().parse_args(args)  # SystemExit (exit 2) on an option that does not exist


def test_readme_check_examples_name_documents_that_exist() -> None:
    readme = (REPO / "README.md").read_text()
    examples = re.findall(r"`check ([a-z0-9][a-z0-9-]*)`", readme)
    assert examples, "the README shows `check NAME`"
    diags = Diagnostics()
    project, documents = load(REPO, diags)
    assert project is not None and not diags.errors
    for name in examples:
        assert select(documents, [name]), name  # UsageError (exit 2) for a name that matches none
    with pytest.raises(UsageError):  # the example it once gave: no document is named so
        select(documents, ["handout-ptsd"])


EDITION = REPO / ".github/workflows/edition.yml"


def test_the_matrix_workflow_builds_every_share_and_joins_them() -> None:
    """edition.yml: N matrix jobs build `--shard K/N` and upload out/ with its cache; the last
    job joins exactly those N; README shows the file as it is."""
    readme = (REPO / "README.md").read_text()
    assert "(.github/workflows/edition.yml)" in readme
    assert f"```yaml\n{EDITION.read_text()}```" in readme
    jobs = yaml.safe_load(EDITION.read_text())["jobs"]
    shares = jobs["shard"]["strategy"]["matrix"]["shard"]
    n = len(shares)
    assert shares == list(range(1, n + 1)) and jobs["join"]["needs"] == "shard"
    runs = {name: [str(s["run"]) for s in job["steps"] if "run" in s]
            for name, job in jobs.items()}
    for job in runs.values():
        (apt,) = [r for r in job if "apt-get install" in r]
        assert sorted(p for p in shlex.split(apt.split("apt-get install", 1)[1])
                      if not p.startswith("-")) == sorted(script_packages())
    commands = {name: [shlex.split(r.replace("${{ matrix.shard }}", "1"))[1:]
                       for r in job if r.startswith("ketabrochure ")]
                for name, job in runs.items()}
    (build,) = commands["shard"]
    assert "--shard ${{ matrix.shard }}/" in runs["shard"][-1]
    assert build[:3] == ["build", "--shard", f"1/{n}"]
    upload = next(s for s in jobs["shard"]["steps"]
                  if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["include-hidden-files"] is True  # out/.cache/: what join takes
    assert upload["with"]["name"] == "shard-${{ matrix.shard }}"
    join, check = commands["join"]
    assert join[0] == "join" and parser().parse_args(join).shards == [
        Path(f"shards/shard-{k}") for k in shares]
    assert check[0] == "check"
    for args in (build, join, check):
        parser().parse_args(args)  # SystemExit (exit 2) on an option that does not exist


@pytest.mark.parametrize("workflow", [WORKFLOW, EDITION], ids=lambda p: p.name)
def test_every_workflow_seals_its_cache_with_the_repository_secret(workflow: Path) -> None:
    """A restored or uploaded render cache is trusted only under the repository's own key
    (files.seal): every job of every workflow gets KETABROCHURE_CACHE_SECRET."""
    env = yaml.safe_load(workflow.read_text()).get("env", {})
    assert env.get("KETABROCHURE_CACHE_SECRET") == "${{ secrets.KETABROCHURE_CACHE_SECRET }}"
