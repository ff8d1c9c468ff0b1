"""A location inherits the clinic's address, phone and referral page unless it gives its own:
change the clinic's phone once and every site that shares it prints the new number."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from helpers import Run, copy_project, edit

from ketabrochure import model as m
from ketabrochure.build import run as build
from ketabrochure.cli import main
from ketabrochure.diagnostics import Diagnostics

CLINIC_PHONE, EAST_PHONE = "(503) 555-0142", "(503) 555-0199"
LOCATIONS = """
locations:
  - id: downtown                  # the clinic's own address, phone and referral page
    name: Northside Downtown
  - id: eastside                  # its own phone, address and booking page
    name: Northside Eastside
    address: [88 Burnside Street, "Portland, OR 97214"]
    phone: (503) 555-0199
    booking_url: https://northside-ketamine.example/book/eastside
  - id: westside                  # its own phone only
    name: Northside Westside
    phone: (503) 555-0177
"""
TEMPLATE = """{% extends "_shared/base.html.j2" %}
{% block title %}{{ condition.name }}{% endblock %}
{% block body %}<h1>{{ condition.name }}</h1>
<p>{{ location.name }} | {{ location.address | join(", ") }} | {{ location.phone }}</p>
<p>Book: {{ location.booking_url or location.referral_url }}</p>
{% endblock %}
"""
DOCUMENTS = """edition: "2026.11"
documents:
  - layout: contact-card
    subjects: [ptsd]
    papers: [letter]
    language: en
    pages: {maximum: 1}
"""


def cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--project", str(root), *args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def project(root: Path) -> Path:
    """The real content with three locations and one small patient layout (one PDF each)."""
    copy_project(root)
    folder = root / "layouts/contact-card"
    folder.mkdir()
    (folder / "layout.yaml").write_text("template: card.html.j2\nsubjects: conditions\n"
                                        "audience: patient\n")
    (folder / "card.html.j2").write_text(TEMPLATE)
    with (root / "content/clinic.yaml").open("a") as handle:
        handle.write(LOCATIONS)
    (root / "content/documents.yaml").write_text(DOCUMENTS)
    return root


def card(root: Path, location: str) -> str:
    path = root / f"out/contact-card-ptsd-letter-en-{location}.pdf"
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


def test_locations_inherit_what_they_leave_out_and_keep_what_they_override(
        tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    first = cli(root, "build", "--jobs", "1")
    assert first.code == 0, first.stderr
    downtown, east, west = (card(root, w) for w in ("downtown", "eastside", "westside"))
    assert "Northside Downtown" in downtown and CLINIC_PHONE in downtown
    assert "1200 Harbor View Avenue, Suite 300, Portland, OR 97201" in downtown
    assert "https://northside-ketamine.example/refer" in downtown  # the clinic's page
    assert EAST_PHONE in east and CLINIC_PHONE not in east and "88 Burnside Street" in east
    assert "book/eastside" in east
    assert "(503) 555-0177" in west and "1200 Harbor View Avenue" in west
    assert CLINIC_PHONE not in west

    # the clinic's number changes in one place; the sites that share it follow
    edit(root / "content/clinic.yaml", f"phone: {CLINIC_PHONE}", "phone: (503) 555-0100")
    second = cli(root, "build", "--jobs", "1")
    assert second.code == 0, second.stderr
    assert "(1 rendered, 2 from the cache)" in second.stdout, second.stdout
    assert "(503) 555-0100" in card(root, "downtown")
    assert EAST_PHONE in card(root, "eastside") and "(503) 555-0177" in card(root, "westside")


def test_contact_resolves_each_detail_on_its_own(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    diags = Diagnostics()
    loaded, _ = build.load(root, diags)
    assert loaded is not None and not diags.errors, diags.errors
    clinic = loaded.clinic
    (downtown, east, west) = clinic.locations
    assert (downtown.phone, downtown.address, downtown.referral_url) == (None, None, None)
    assert m.contact(clinic, "downtown") == m.ClinicLocation(
        "downtown", "Northside Downtown", clinic.address, clinic.phone, None,
        clinic.referral_url, downtown.loc)
    resolved = m.contact(clinic, "eastside")
    assert resolved.phone == EAST_PHONE and resolved.address == east.address
    assert resolved.booking_url == "https://northside-ketamine.example/book/eastside"
    assert resolved.referral_url == clinic.referral_url  # behind its booking page
    assert west.address is None and m.contact(clinic, "westside").address == clinic.address
    assert m.contact(clinic, None).name == clinic.name  # no location: the clinic itself


def test_a_location_still_needs_an_id_and_a_name(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    edit(root / "content/clinic.yaml", "    name: Northside Westside\n", "")
    result = cli(root, "check", "--jobs", "1")
    assert result.code == 1
    assert "error[content.missing-field]: locations[3].name: missing required field 'name'" \
        in result.stderr
