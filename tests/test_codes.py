"""The diagnostic codes' registry (ketabrochure/codes.py) against the source and README: every
code the package can report is registered with the severity it is reported with, every
registered code is reported somewhere and listed in README; Diagnostics refuses any other at
run time; `ketabrochure explain` prints each.

The codes are read from the source (AST), not run: the literal codes of the calls that report
(`diags.error(loc, CODE, where, message)`), the codes functions forward (`def report(self, loc,
code, ...)` and its calls), the default of Fields.error's `code`, the `code` field of
dataclasses (a claim word's family) and the module constants a call reports (`CODE`,
`_CODES[kind]`). A `where` such as "citation.doi" is no code: only the code's own position is
read. A code expression no rule can read fails, so the registry cannot miss one."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import REPO, copy_minimal, run_cli

from ketabrochure.build.explain import nearest
from ketabrochure.codes import CODES, UnregisteredCode
from ketabrochure.diagnostics import Diagnostics, Location

PACKAGE = REPO / "src" / "ketabrochure"

REPORTING = {"error": {"error"}, "warning": {"warning"}, "_error": {"error"},
             "report": {"error", "warning"}}  # review.gate: an error on release, else a warning
CODE_INDEX = {"_error": 2}  # framing._error(diags, said, code, message); else (loc, code, ...)


@dataclass
class Use:
    """What the source reports: each code with its severities and one place it is used."""

    severities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    places: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # code expressions no rule can read

    def add(self, code: str, severities: set[str], place: str) -> None:
        self.severities[code] |= severities
        self.places.setdefault(code, place)


def _name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _fields_default(trees: dict[str, ast.Module]) -> str:
    """The code of `Fields.error(loc, message)` given without `code=` (read.fields)."""
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "error":
                args = node.args.args
                names = [a.arg for a in args]
                if "code" in names and names.index("code") == 3:  # (self, loc, message, code)
                    default = node.args.defaults[names.index("code") - len(args)]
                    found = _literal(default)
                    if found:
                        return found
    raise AssertionError("no Fields.error(self, loc, message, code=...) with a literal default")


def _code_dataclasses(trees: dict[str, ast.Module]) -> dict[str, int]:
    """Classes with a `code: str` field -> that field's position (wording.claims)."""
    found = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                fields = [s.target.id for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
                if "code" in fields:
                    found[node.name] = fields.index("code")
    return found


def _constants(tree: ast.Module, name: str) -> list[str]:
    """The string values of a module constant (`CODE = "web.check"`, `_CODES = {...}`)."""
    values = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
            items = value.values if isinstance(value, ast.Dict) else [value]
            values += [v for v in map(_literal, items) if v]
    return values


def _aliases(tree: ast.Module) -> dict[str, set[str]]:
    """`say = diags.error if release else diags.warning`: `say` reports with either."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.IfExp):
            names = {_name(node.value.body), _name(node.value.orelse)}
            if names <= {"error", "warning"}:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = {n for n in names if n}
    return found


def _code_arg(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "code":
            return keyword.value
    if len(call.args) == 4:
        return call.args[CODE_INDEX.get(name, 1)]
    return None


def collect(package: Path) -> Use:
    trees = {p.relative_to(package.parent).as_posix(): ast.parse(p.read_text(), str(p))
             for p in sorted(package.rglob("*.py"))}
    use, fields_default = Use(), _fields_default(trees)
    classes, claim_severities = _code_dataclasses(trees), set()
    for path, tree in trees.items():
        reporting = {**REPORTING, **_aliases(tree)}
        forwarding = {id(n): f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                      and "code" in {a.arg for a in f.args.args} for n in ast.walk(f)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, place = _name(node.func), f"{path}:{node.lineno}"
            if name in classes:  # Family("approved", "claims.approval", ...)
                index = classes[name]
                arg = next((k.value for k in node.keywords if k.arg == "code"),
                           node.args[index] if len(node.args) > index else None)
                literal = _literal(arg)
                if literal:
                    use.add(literal, set(), place)
                continue
            if name not in reporting:
                continue
            arg = _code_arg(node, name)
            severities = reporting[name]
            if arg is None:
                if isinstance(node.func, ast.Attribute) and name == "error":
                    use.add(fields_default, {"error"}, place)  # Fields.error(loc, message)
                continue  # a closure with no code (webcheck's error(pos, message))
            literal = _literal(arg)
            if literal:
                use.add(literal, severities, place)
            elif isinstance(arg, ast.Name) and arg.id == "code" and id(node) in forwarding:
                if forwarding[id(node)] not in REPORTING:  # its callers would go unread
                    use.unreadable.append(f"{place}: {forwarding[id(node)]}() forwards a code: "
                                          "add it to REPORTING")
            elif isinstance(arg, ast.Attribute) and arg.attr == "code":
                claim_severities |= severities  # a claim's family's code
            elif isinstance(arg, ast.Name | ast.Subscript):
                constant = arg.id if isinstance(arg, ast.Name) else ast.unparse(arg.value)
                values = _constants(tree, constant)
                if not values:
                    use.unreadable.append(f"{place}: {ast.unparse(arg)}")
                for value in values:
                    use.add(value, severities, place)
            else:
                use.unreadable.append(f"{place}: {ast.unparse(arg)}")
    for severities in use.severities.values():
        if not severities:  # only a dataclass names it: reported as its claims are
            severities |= claim_severities
    return use


# -- the registry against the source ---------------------------------------------------------
def test_every_code_reported_is_registered_with_its_severity_and_every_registered_one_used(
        ) -> None:
    use = collect(PACKAGE)
    assert use.unreadable == [], "give these calls a literal code (or a rule in this test)"
    unregistered = {c: use.places[c] for c in use.severities if c not in CODES}
    family = {"error": "E", "warning": "W", "error warning": "EITHER"}
    entries = "".join(f'\n    ("{c}", {family[" ".join(sorted(use.severities[c]))]}, '
                      f'"<what it means>", "<what to do>"),  # {place}'
                      for c, place in sorted(unregistered.items()))
    assert unregistered == {}, f"add these codes to src/ketabrochure/codes.py:{entries}"
    unused = sorted(set(CODES) - set(use.severities))
    assert unused == [], "these registered codes are never reported: remove them"
    allowed = {"error": {"error"}, "warning": {"warning"}, "either": {"error", "warning"}}
    wrong = {c: sorted(s) for c, s in use.severities.items() if allowed[CODES[c].severity] != s}
    assert wrong == {}, "these codes are reported with other severities than registered"


def test_the_source_reading_finds_a_new_code_however_it_is_given(tmp_path: Path) -> None:
    """A package with new codes given every way the rules read: each is found, with its
    severity; a `where` is not taken for a code; an opaque one is refused."""
    copy = tmp_path / "ketabrochure"
    (copy / "read").mkdir(parents=True)
    shutil.copy(PACKAGE / "read" / "fields.py", copy / "read")  # Fields.error's default code
    (copy / "planted.py").write_text("""
CODE = "planted.constant"
def a(diags, f, loc, release, make):
    diags.warning(loc, "planted.literal", "citation.doi", "message")
    f.error(loc, "message", code="planted.keyword", where="n.arms")
    say = diags.error if release else diags.warning
    say(loc, "planted.alias", "where", "message")
    diags.error(loc, CODE, "where", "message")
    diags.error(loc, make(), "where", "message")
def _complain(diags, loc, code):
    diags.error(loc, code, "where", "message")
class Rule:
    key: str
    code: str
KINDS = {"a": "planted.kind"}
def b(diags, loc, kind):
    diags.error(loc, Rule("key", "planted.family").code, "where", "message")
    diags.error(loc, KINDS[kind], "where", "message")
""")
    use = collect(copy)
    planted = {c: sorted(s) for c, s in use.severities.items() if c.startswith("planted.")}
    assert planted == {"planted.literal": ["warning"], "planted.keyword": ["error"],
                       "planted.alias": ["error", "warning"], "planted.constant": ["error"],
                       "planted.family": ["error"], "planted.kind": ["error"]}
    assert not {"citation.doi", "n.arms", "where"} & set(use.severities)
    assert use.unreadable == ["ketabrochure/planted.py:9: make()", "ketabrochure/planted.py:11: "
                              "_complain() forwards a code: add it to REPORTING"]


def test_diagnostics_refuse_an_unregistered_code_or_severity() -> None:
    diags, loc = Diagnostics(), Location("content/x.yaml", 2, 3)
    with pytest.raises(UnregisteredCode, match=r"'content\.nonesuch' is not in"):
        diags.error(loc, "content.nonesuch", "title", "message")
    with pytest.raises(UnregisteredCode, match="registered as error, reported as warning"):
        diags.warning(loc, "content.doi", "citation.doi", "message")
    diags.warning(loc, "review.unsigned", "handout", "message")  # either: both are fine
    diags.error(loc, "review.unsigned", "handout", "message")
    assert [d.code for d in diags.items] == ["review.unsigned", "review.unsigned"]


def readme_table() -> dict[str, tuple[str, str]]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Diagnostic codes")[1].split("\n## ")[0].split("\n### ")[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| (.+) \|$", section, re.MULTILINE)
    return {code: (severity, meaning) for code, severity, meaning in rows}


def test_readme_lists_every_code_with_its_severity_and_meaning() -> None:
    listed = readme_table()
    registered = {c.name: (c.severity, c.meaning) for c in CODES.values()}
    missing = {c: v for c, v in registered.items() if listed.get(c) != v}
    rows = "".join(f"\n| `{c}` | {severity} | {meaning} |" for c, (severity, meaning)
                   in missing.items())
    assert missing == {}, f"README's table of diagnostic codes lacks these rows (or differs):{rows}"
    assert sorted(set(listed) - set(registered)) == [], "README lists codes no longer registered"


def test_every_entry_says_what_it_means_and_what_to_do() -> None:
    for code in CODES.values():
        assert re.fullmatch(r"(internal|[a-z]+\.[a-z]+(-[a-z]+)*)", code.name), code.name
        assert code.meaning and code.fix and not code.meaning.endswith("."), code.name
        assert "|" not in code.meaning, code.name  # a README table cell


# -- `ketabrochure explain` ------------------------------------------------------------------
def test_explain_prints_a_code_s_meaning_and_fix_without_a_project(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "explain", "content.glyph")  # tmp_path holds no project
    assert result.code == 0 and result.stderr == ""
    assert result.stdout == ("content.glyph (error)\n\n"
                             "A text uses characters the vendored fonts cannot print.\n\n"
                             "What to do: use other characters (e.g. 'at least' for '≥') or add "
                             "a font that has them.\n")


def test_explain_takes_a_code_as_a_diagnostic_prints_it(tmp_path: Path) -> None:
    asked = run_cli(tmp_path, "explain", "content.glyph").stdout
    assert run_cli(tmp_path, "explain", "error[content.glyph]:").stdout == asked
    assert run_cli(tmp_path, "explain", "warning[yaml.comment]").stdout.startswith(
        "yaml.comment (warning)\n")


def test_explain_lists_every_code_or_a_family(tmp_path: Path) -> None:
    every, listed = run_cli(tmp_path, "explain"), run_cli(tmp_path, "explain", "--all")
    assert every.code == listed.code == 0 and every.stdout == listed.stdout
    lines = every.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(CODES)
    assert any(re.fullmatch(r"review\.due +warning  a document's review falls due soon", line)
               for line in lines)
    yaml = run_cli(tmp_path, "explain", "yaml").stdout.splitlines()
    assert [line.split()[0] for line in yaml] == [c for c in CODES if c.startswith("yaml.")]


def test_explain_as_json(tmp_path: Path) -> None:
    one = json.loads(run_cli(tmp_path, "explain", "--format", "json", "review.due").stdout)
    assert one == {"code": "review.due", "severity": "warning",
                   "meaning": "a document's review falls due soon",
                   "fix": "review it and sign it off again"}
    every = json.loads(run_cli(tmp_path, "explain", "--format", "json").stdout)
    assert [e["code"] for e in every] == list(CODES)


@pytest.mark.parametrize(("typed", "meant"), [
    ("content.glif", "content.glyph"), ("review.unsined", "review.unsigned"),
    ("yaml.dup", "yaml.duplicate-key"), ("glyph", "content.glyph"),
    ("check.pagecount", "check.page-count")])
def test_explain_an_unknown_code_exits_2_naming_the_nearest(tmp_path: Path, typed: str,
                                                            meant: str) -> None:
    result = run_cli(tmp_path, "explain", typed)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"ketabrochure: error: no diagnostic code '{typed}' "
                                    f"(did you mean {meant}")
    assert nearest(typed)[0] == meant


def test_explain_names_no_code_when_none_is_near(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "explain", "zzz")
    assert result.code == 2
    assert result.stderr == ("ketabrochure: error: no diagnostic code 'zzz'; "
                             "`ketabrochure explain` lists them all\n")


def test_every_code_a_broken_project_reports_is_explained(tmp_path: Path) -> None:
    """Real diagnostics from a broken copy of the minimal project (read, not rendered): each
    printed code has an entry, and the severity printed is one its entry allows."""
    root = copy_minimal(tmp_path)
    study = root / "content" / "studies" / "feder2014.yaml"
    text = study.read_text().replace("  doi: ", "  doi: https://doi.org/", 1)
    study.write_text(text + 'extra_field: "x"\n')
    (root / "content" / "studies" / "feder2014.yaml.bak").write_text("a backup\n")
    result = run_cli(root, "list")
    printed = re.findall(r": (error|warning)\[([a-z.-]+)\]: ", result.stderr)
    assert {code for _, code in printed} >= {"content.doi", "content.unknown-field",
                                               "content.file-name"}, result.stderr
    for severity, code in printed:
        explained = run_cli(tmp_path, "explain", code)
        assert explained.code == 0 and explained.stdout.startswith(f"{code} (")
        assert CODES[code].allows(severity)
