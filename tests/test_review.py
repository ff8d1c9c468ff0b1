"""The editorial workflow on a real git repository: sign-offs bound to the printed text, the
release gate, translations that go stale, and review dates that expire (review/ package).

One signed copy of the minimal project is made and built once per module (`signed`); each test
works on a copy of it, its render cache included, so only what a test changes is typeset again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import (
    SIGNED_ON,
    Run,
    copy_minimal,
    edit,
    run_cli,
    seed_cache,
    sign_off_and_build,
)
from pypdf import PdfReader

from ketabrochure.review import claims as review_claims
from ketabrochure.review.gate import add_months

pytestmark = pytest.mark.xdist_group("test_review")
# what prints the Feder 2014 sample size: the PTSD sheet, the report and the packet that
# encloses the sheet; the patient handout and the brochure print no sample sizes
PRINTS_N = {"evidence-sheet-ptsd-en", "report-research-en", "referral-packet-sample-en"}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True)
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", message)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, built_signed: Path) -> Path:
    """The minimal project in a git repository, every document signed off on SIGNED_ON by
    Dr. Maya Okafor, built once (so tests start from a warm cache). Its own cache is seeded
    from the session's signed build, made the same way (the cache keys on every input)."""
    root = copy_minimal(tmp_path_factory.mktemp("signed") / "project")
    (root / ".gitignore").write_text("out/\n.out.lock\n")
    git(root, "init", "-q")
    commit(root, "the minimal project")
    sign_off_and_build(seed_cache(built_signed, root))
    commit(root, "signed off")
    return root


@pytest.fixture
def repo(signed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the signed repository (with its build and cache), a week after the sign-off."""
    root = tmp_path / "project"
    shutil.copytree(signed, root, symlinks=True)
    monkeypatch.setenv("KETABROCHURE_TODAY", "2026-12-08")
    return root


def codes(result: Run, code: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if f"[{code}]" in line]


def documents_in(lines: list[str]) -> set[str]:
    """The signed names the diagnostics are about (`path: severity[code]: NAME: message`)."""
    return {line.split("]: ", 1)[1].split(":", 1)[0] for line in lines}


def correct_n(root: Path) -> None:
    """An editor corrects Feder 2014's sample size, in its record and in the key point that
    quotes it (a content rule holds the two together)."""
    edit(root / "content/studies/feder2014.yaml", "  value: 41", "  value: 42")
    edit(root / "content/conditions/ptsd.yaml", "trial of 41 adults", "trial of 42 adults")


def ledger(root: Path) -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = yaml.safe_load(
        (root / "content/approvals.yaml").read_text())["documents"]
    return entries


def test_approve_records_hash_reviewer_role_date_edition_and_text(repo: Path) -> None:
    entries = ledger(repo)
    assert set(entries) == {
        "evidence-sheet-ptsd-en", "report-research-en", "referral-packet-sample-en",
        "handout-ptsd-en", "handout-ptsd-es", "trifold-what-is-ketamine-therapy-en",
        "trifold-what-is-ketamine-therapy-es"}, "one sign-off per text, not per paper/variant"
    sheet = entries["evidence-sheet-ptsd-en"]
    assert (sheet["by"], sheet["role"], sheet["date"], sheet["edition"]) == (
        "Dr. Maya Okafor", "Medical director", SIGNED_ON, "2026.11")
    text = (repo / "content/approved/evidence-sheet-ptsd-en.txt").read_text()
    assert sheet["text"].startswith("sha256:") and "Feder 2014 (n = 41)" in text
    assert "Reviewed" not in text, "the review line is not part of the text it signs"
    spanish = entries["handout-ptsd-es"]
    assert spanish["source"] == entries["handout-ptsd-en"]["text"], \
        "a first sign-off of a translation records the English it was made from"
    assert run_cli(repo, "approve", "--by", "Dr. Maya Okafor").stdout.startswith(
        "7 already signed off exactly as printed"), "approving again changes nothing"
    assert git(repo, "status", "--porcelain") == ""


def test_footer_reviewer_and_date_come_from_the_ledger(repo: Path) -> None:
    result = run_cli(repo, "approve", "evidence-sheet", "--by", "Dr. Daniel Reyes")
    assert result.stdout.startswith("1 already signed off"), "unchanged: nothing to sign"
    text = (repo / "content/approved/evidence-sheet-ptsd-en.txt").read_text()
    edit(repo / "content/conditions/ptsd.yaml", '"Evidence is mixed', '"Evidence is still mixed')
    result = run_cli(repo, "approve", "evidence-sheet-ptsd-en", "--by", "Dr. Daniel Reyes")
    assert result.code == 0 and "evidence-sheet-ptsd-en: signed off by Dr. Daniel Reyes" in \
        result.stdout, result.stderr
    assert (repo / "content/approved/evidence-sheet-ptsd-en.txt").read_text() != text
    built = run_cli(repo, "build", "evidence-sheet", "--jobs", "1")
    assert built.code == 0, built.stderr
    sheet = PdfReader(repo / "out/evidence-sheet-ptsd-letter-en.pdf").pages[0].extract_text()
    assert "Reviewed 8 December 2026 by Dr. Daniel Reyes, Psychiatrist" in " ".join(sheet.split())
    handout = " ".join(page.extract_text() for page in
                       PdfReader(repo / "out/handout-ptsd-letter-en.pdf").pages)
    assert "Reviewed 1 December 2026" in " ".join(handout.split())
    spanish = " ".join(page.extract_text() for page in
                       PdfReader(repo / "out/handout-ptsd-letter-es-print-shop.pdf").pages)
    assert "Revisado el 1 de diciembre de 2026" in " ".join(spanish.split())


def test_a_study_edit_refuses_exactly_the_documents_that_print_it(repo: Path) -> None:
    correct_n(repo)
    warned = run_cli(repo, "check", "--jobs", "1")
    assert warned.code == 0, "without --release a changed text is a warning"
    assert documents_in(codes(warned, "review.changed")) == PRINTS_N
    refused = run_cli(repo, "check", "--release", "--jobs", "1")
    assert refused.code == 1
    changed = codes(refused, "review.changed")
    assert all("error[" in line for line in changed)
    assert documents_in(changed) == PRINTS_N
    shown = next(line for line in changed if line.startswith("content/studies/feder2014.yaml:22:"))
    assert 'before: "Not shown: Feder 2014 (n = 41)' in shown
    assert 'now: "Not shown: Feder 2014 (n = 42)' in shown and "(numbers: 41 -> 42)" in shown
    assert run_cli(repo, "build", "--release", "--jobs", "1").code == 1
    # approve what changed: released again, and git shows the changed sentence
    assert run_cli(repo, "approve", "--by", "Dr. Maya Okafor").code == 0
    assert "+Not shown: Feder 2014 (n = 42)" in git(repo, "diff", "content/approved/")
    assert run_cli(repo, "check", "--release", "--jobs", "1").code == 0


def test_a_study_edit_that_changes_no_printed_text_needs_no_sign_off(repo: Path) -> None:
    edit(repo / "content/studies/feder2014.yaml", "sources:", "# a note, not printed\nsources:")
    result = run_cli(repo, "check", "--release", "--jobs", "1")
    assert result.code == 0, result.stderr


def test_a_css_only_change_needs_no_sign_off(repo: Path) -> None:
    css = repo / "layouts/handout/style.css"
    css.write_text(css.read_text() + "\nh2 { color: #1f4e6b; }\n")
    result = run_cli(repo, "check", "--release", "--jobs", "1", "handout")
    assert result.code == 0, result.stderr
    assert "rendered" in result.stdout and "(0 rendered" not in result.stdout, \
        "the CSS changed the PDFs (typeset again), not the signed text"


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_unsigned_document_is_refused_by_release(repo: Path, language: str) -> None:
    entries = ledger(repo)
    name = f"handout-ptsd-{language}"
    approvals = (repo / "content/approvals.yaml").read_text()
    kept = {n: e for n, e in entries.items() if n != name}
    (repo / "content/approvals.yaml").write_text(
        approvals.split("documents:")[0] + yaml.safe_dump({"documents": kept}))
    assert documents_in(codes(run_cli(repo, "check", "--jobs", "1"), "review.unsigned")) \
        == {name}
    refused = run_cli(repo, "check", "--release", "--jobs", "1")
    assert refused.code == 1 and documents_in(codes(refused, "review.unsigned")) == {name}


def test_an_english_edit_marks_its_spanish_stale(repo: Path) -> None:
    handout = repo / "content/handouts/ptsd.yaml"
    old = yaml.safe_load(handout.read_text())["strength"]["en"]
    edit(handout, old, old + " Ask us about it.")
    warned = run_cli(repo, "check", "--jobs", "1", "handout")
    stale = codes(warned, "review.stale-translation")
    assert documents_in(stale) == {"handout-ptsd-es"}
    shown = "\n".join(line for line in stale if "English before:" in line)
    assert "Ketamine is not a proven PTSD treatment." in shown and "Ask us about it." in shown
    assert all(line.startswith("content/handouts/ptsd.yaml:26:") for line in shown.splitlines()), \
        "at the English text's YAML line"
    refused = run_cli(repo, "check", "--release", "--jobs", "1", "handout")
    assert refused.code == 1 and codes(refused, "review.stale-translation")
    # approving the Spanish document does not hide it: only `translated` records the source
    assert run_cli(repo, "approve", "--by", "Dr. Maya Okafor").code == 0
    assert codes(run_cli(repo, "check", "--jobs", "1", "handout"), "review.stale-translation")
    done = run_cli(repo, "translated", "handout-ptsd-es", "--by", "Lucía Herrera",
                   "--qualification", "ATA-certified translator, English to Spanish")
    assert done.code == 0 and "handout-ptsd-es" in done.stdout, done.stderr
    assert ledger(repo)["handout-ptsd-es"]["translator"] == \
        "Lucía Herrera, ATA-certified translator, English to Spanish"
    assert run_cli(repo, "check", "--release", "--jobs", "1", "handout").code == 0


def test_an_expired_review_is_refused_under_a_fixed_clock(repo: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETABROCHURE_TODAY", "2027-11-01")  # 30 days before the 12 months
    due = run_cli(repo, "check", "--release", "--jobs", "1", "evidence-sheet")
    assert due.code == 0, "due soon is a warning"
    assert "review due by 2027-12-01" in "".join(codes(due, "review.due"))
    monkeypatch.setenv("KETABROCHURE_TODAY", "2027-12-01")
    warned = run_cli(repo, "check", "--jobs", "1", "evidence-sheet")
    assert warned.code == 0 and codes(warned, "review.expired")
    refused = run_cli(repo, "check", "--release", "--jobs", "1", "evidence-sheet")
    assert refused.code == 1
    expired = codes(refused, "review.expired")
    assert documents_in(expired) == {"evidence-sheet-ptsd-en"}
    assert expired[0].startswith("content/conditions/ptsd.yaml:")


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    import datetime as dt
    assert add_months(dt.date(2026, 12, 1), 12) == dt.date(2027, 12, 1)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_a_hand_edited_approved_text_is_an_error(repo: Path) -> None:
    path = repo / "content/approved/handout-ptsd-en.txt"
    path.write_text(path.read_text().replace("Ketamine", "Ketamina", 1))
    result = run_cli(repo, "check", "--jobs", "1", "handout")
    assert result.code == 1
    assert "content/approvals.yaml:" in "".join(codes(result, "review.ledger"))


def test_a_typed_review_date_is_an_error_at_its_line(repo: Path) -> None:
    handout = repo / "content/handouts/ptsd.yaml"
    handout.write_text(handout.read_text() + "reviewed_on: 2026-11-27\n")
    line = len(handout.read_text().splitlines())
    result = run_cli(repo, "check", "--jobs", "1", "handout")
    assert result.code == 1
    assert f"content/handouts/ptsd.yaml:{line}:" in "".join(
        codes(result, "content.reviewed-typed"))


def test_only_a_listed_reviewer_signs(repo: Path) -> None:
    result = run_cli(repo, "approve", "--by", "Dr. Maya Okafr")
    assert result.code == 2
    assert "did you mean 'Dr. Maya Okafor'" in result.stderr


def content_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "content").rglob("*")) if p.is_file()}


def test_an_xliff_round_trip_is_lossless(repo: Path, tmp_path: Path) -> None:
    exported = run_cli(repo, "xliff-export", "--output", str(tmp_path / "es.xlf"))
    assert exported.code == 0 and " 0 marked stale" in exported.stdout, exported.stderr
    text = (tmp_path / "es.xlf").read_text()
    assert 'xmlns="urn:oasis:names:tc:xliff:document:2.0"' in text and 'trgLang="es"' in text
    assert '<ph id="ph1" equiv="{indication}" canCopy="no" canDelete="no" />' in text, \
        "placeholders are protected inline codes"
    before = content_bytes(repo)
    imported = run_cli(repo, "xliff-import", str(tmp_path / "es.xlf"), "--by", "Lucía Herrera",
                       "--qualification", "ATA-certified translator, English to Spanish")
    assert imported.code == 0, imported.stderr
    after = content_bytes(repo)
    assert {k for k in after if after[k] != before.get(k)} == {"content/approvals.yaml"}, \
        "only the translator is recorded; every text stays byte for byte"
    assert ledger(repo)["handout-ptsd-es"]["translator"] == \
        "Lucía Herrera, ATA-certified translator, English to Spanish"
    again = run_cli(repo, "xliff-export")
    assert again.stdout == text


def test_xliff_marks_stale_units_and_imports_a_new_translation(repo: Path,
                                                               tmp_path: Path) -> None:
    handout = repo / "content/handouts/ptsd.yaml"
    edit(handout, "but the largest study did not.", "but the largest one did not.")
    text = run_cli(repo, "xliff-export").stdout
    unit = text.split('name="strength"')[1].split("</unit>")[0]
    assert 'state="initial"' in unit and '<note category="stale">' in unit
    assert 'before: "Two small studies found help, but the largest study did not."' \
        in unit
    assert text.count('state="initial"') == 1, "only the unit whose English changed"
    new = "Dos estudios pequeños encontraron ayuda, pero el mayor no."
    old = "Dos estudios pequeños encontraron ayuda, pero el más grande no."
    assert old in unit
    changed = text.replace(unit, unit.replace(old, new).replace('state="initial"',
                                                                 'state="translated"'))
    (tmp_path / "es.xlf").write_text(changed)
    done = run_cli(repo, "xliff-import", str(tmp_path / "es.xlf"), "--by", "Lucía Herrera",
                   "--qualification", "ATA-certified")
    assert done.code == 0 and "handout-ptsd-es: translation recorded" in done.stdout, done.stderr
    assert f'es: "Los resultados son mixtos. {new} La ketamina' in handout.read_text()
    checked = run_cli(repo, "check", "--jobs", "1", "handout")
    assert not codes(checked, "review.stale-translation")
    assert documents_in(codes(checked, "review.changed")) == {"handout-ptsd-en",
                                                             "handout-ptsd-es"}, \
        "the new texts still need the medical director's sign-off"


def test_xliff_import_refuses_a_dropped_placeholder(repo: Path, tmp_path: Path) -> None:
    text = run_cli(repo, "xliff-export").stdout
    unit = text.split('name="off_label"')[1].split("</unit>")[0]
    target = unit.split("<target>")[1].split("</target>")[0]
    dropped = target.replace('<ph id="ph1" equiv="{indication}" canCopy="no" canDelete="no" />',
                             "eso")
    (tmp_path / "es.xlf").write_text(text.replace(target, dropped))
    before = content_bytes(repo)
    result = run_cli(repo, "xliff-import", str(tmp_path / "es.xlf"), "--by", "X",
                     "--qualification", "Y")
    assert result.code == 1
    line = next(i for i, s in enumerate(text.splitlines(), 1) if 'name="off_label"' in s)
    assert f"es.xlf:{line}:1: error[xliff.placeholder]: off_label: " in result.stderr
    assert "{indication}" in result.stderr
    assert content_bytes(repo) == before, "nothing written"


def test_diff_shows_each_changed_sentence_since_a_git_revision(repo: Path) -> None:
    correct_n(repo)
    text = run_cli(repo, "diff", "evidence-sheet-ptsd-en")
    assert text.code == 0, text.stderr
    assert "  content/studies/feder2014.yaml:22:10 [study feder2014]\n" \
           "    - Not shown: Feder 2014 (n = 41)" in text.stdout
    assert "    + Not shown: Feder 2014 (n = 42)" in text.stdout
    assert "    numbers: 41 -> 42" in text.stdout
    commit(repo, "n = 42")
    assert run_cli(repo, "diff", "--since", "HEAD").stdout == "no printed text changed\n"
    since = run_cli(repo, "diff", "--since", "HEAD~1", "--format", "json")
    found = {d["document"]: d for d in json.loads(since.stdout)["documents"]}
    assert set(found) == PRINTS_N, "the same documents as the release gate"
    line = next(s for s in found["evidence-sheet-ptsd-en"]["sentences"]
                if s["path"] == "content/studies/feder2014.yaml")
    assert (line["kind"], line["study"], line["line"]) == ("changed", "feder2014", 22)
    assert (line["numbers_before"], line["numbers_after"]) == (["41"], ["42"])
    page = run_cli(repo, "diff", "--since", "HEAD~1", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<mark>42</mark>" in page
    assert "<del>Not shown: Feder 2014 (n = <mark>41</mark>)" in page
    assert "http" not in page, "self-contained: nothing to fetch"
    assert run_cli(repo, "diff", "--since", "no-such-revision").code == 2
    assert "<p>No printed text changed.</p>" in (repo / "out/review.html").read_text()
    assert run_cli(repo, "build", "--jobs", "1").code == 0
    review = (repo / "out/review.html").read_text()
    assert "<del>Not shown: Feder 2014 (n = <mark>41</mark>)" in review, \
        "a full build writes the review page serve shows"
    shelf = (repo / "out/index.html").read_text()
    assert '<a href="review.html">the printed text not yet\nsigned off</a>' in shelf, \
        "the print shelf links the medical director's page"


def test_claims_ledger_says_where_each_printed_number_comes_from(signed: Path) -> None:
    claims = json.loads((signed / "out/claims.json").read_text())["claims"]
    n = next(c for c in claims if c["document"] == "evidence-sheet-ptsd-en"
             and c["number"] == "41" and c["sentence"].startswith("Not shown: Feder 2014"))
    assert (n["path"], n["line"], n["study"], n["field"]) == (
        "content/studies/feder2014.yaml", 22, "feder2014", "n.value")
    assert n["pages"] == {"evidence-sheet-ptsd-letter-en.pdf": 1}
    page = PdfReader(signed / "out/evidence-sheet-ptsd-letter-en.pdf").pages[0].extract_text()
    assert "(n = 41)" in page
    documents = {c["document"] for c in claims}
    assert {"handout-ptsd-es", "report-research-en", "trifold-what-is-ketamine-therapy-en"} \
        <= documents
    report = [c for c in claims if c["document"] == "report-research-en"]
    assert all(len(c["pages"]) == 1 for c in report)
    assert sum(1 for c in report if c["pages"]["report-research-letter-en.pdf"]) \
        >= 0.9 * len(report), "nearly every number found on its page"


def test_988_press_3_is_refused_where_it_is_written(repo: Path) -> None:
    patient = repo / "content/patient.yaml"
    edit(patient, "to reach the 988 Suicide & Crisis Lifeline.",
         "to reach the 988 Suicide & Crisis Lifeline. LGBTQ+ youth can press 3.")
    line = next(i for i, s in enumerate(patient.read_text().splitlines(), 1) if "press 3" in s)
    result = run_cli(repo, "check", "--jobs", "1", "handout-ptsd-en")
    assert result.code == 1, "refused by every check, not only --release"
    outdated = codes(result, "content.outdated")
    assert outdated and outdated[0].startswith(f"content/patient.yaml:{line}:")
    assert "ended on 17 July 2025" in outdated[0]


def test_a_regulatory_fact_verified_too_long_ago_is_warned(repo: Path) -> None:
    regulatory = repo / "content/regulatory.yaml"
    edit(regulatory, "    date: 2019-03-05\n", "    date: 2019-03-05\n"
         "    source: \"https://www.fda.gov/ (label, checked by the clinic)\"\n"
         "    verified_on: 2025-06-01\n")
    line = next(i for i, s in enumerate(regulatory.read_text().splitlines(), 1)
                if "spravato-2019-trd:" in s)
    warned = run_cli(repo, "check", "--jobs", "1", "evidence-sheet")
    assert warned.code == 0
    expired = codes(warned, "review.fact-expired")
    assert len(expired) == 1 and expired[0].startswith(f"content/regulatory.yaml:{line}:")
    assert "last verified 2025-06-01" in expired[0]
    assert run_cli(repo, "check", "--release", "--jobs", "1", "evidence-sheet").code == 1
    edit(regulatory, "    source: \"https://www.fda.gov/ (label, checked by the clinic)\"\n", "")
    missing = run_cli(repo, "check", "--jobs", "1", "evidence-sheet")
    assert missing.code == 1 and "add `source:`" in missing.stderr


def test_the_shelf_marks_documents_due_for_review(repo: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = (repo / "out/index.html").read_text()
    assert "REVIEW DUE" not in shelf and "reviewed 2026-12-01" in shelf
    monkeypatch.setenv("KETABROCHURE_TODAY", "2027-11-15")
    built = run_cli(repo, "build", "--jobs", "1")
    assert built.code == 0, built.stderr
    shelf = (repo / "out/index.html").read_text()
    assert shelf.count("REVIEW DUE 2027-12-01") == shelf.count('class="card"') == 8
    manifest = json.loads((repo / "out/manifest.json").read_text())
    assert {d["review_due"] for d in manifest["documents"]} == {"2027-12-01"}


def test_a_document_nobody_signed_says_so(built_minimal: Path) -> None:
    """The minimal project keeps no ledger: nothing claims a review."""
    sheet = PdfReader(built_minimal / "out/evidence-sheet-ptsd-letter-en.pdf").pages[0]
    assert "Not yet reviewed · Edition 2026.11" in " ".join(sheet.extract_text().split())
    spanish = PdfReader(built_minimal / "out/handout-ptsd-letter-es-print-shop.pdf").pages[0]
    assert "Sin revisar · Edición 2026.11" in " ".join(spanish.extract_text().split())


def test_approve_signs_nothing_while_the_content_has_errors(repo: Path) -> None:
    edit(repo / "content/studies/feder2014.yaml", "  value: 41", "  value: forty-one")
    result = run_cli(repo, "approve", "--by", "Dr. Maya Okafor")
    assert result.code == 1 and "nothing signed" in result.stdout
    assert "content/studies/feder2014.yaml:22:" in result.stderr
    assert git(repo, "status", "--porcelain") == " M content/studies/feder2014.yaml\n"


def test_diff_shows_a_relabelled_study_while_a_content_rule_objects(repo: Path) -> None:
    """open-label is caught by a framing rule in the patient texts; the diff still shows what
    the physician documents now print, for the medical director to judge."""
    edit(repo / "content/studies/feder2014.yaml", "  blinding: double-blind",
         "  blinding: open-label")
    result = run_cli(repo, "diff", "report-research-en")
    assert result.code == 0, result.stderr
    assert "    + Single-site double-blind crossover vs midazolam (open-label)" in result.stdout
    assert "  content/studies/feder2014.yaml:" in result.stdout


@pytest.mark.parametrize("claims", [
    [], [{}], [{"number": "41%", "pages": {}, "sentence": "Más de 4 de cada 10 · «sí»\n"}],
    [{"pages": {"a.pdf": 1, "b.pdf": None}, "study": None}, {"line": 3, "field": "x[1].y"}]])
def test_the_ledger_is_encoded_as_json_dumps_would(claims: list[dict[str, Any]]) -> None:
    """out/claims.json is made one claim at a time (bounded memory), the same bytes."""
    whole = (json.dumps({"claims": claims}, ensure_ascii=False, indent=1) + "\n").encode()
    assert review_claims.encoded(claims) == whole
