"""The print-shop copies as the press receives them, read back from real PDFs with pikepdf:
PDF/X-4 with a CMYK output intent, trim and bleed boxes, no RGB, black text on the black plate
only, the clinic's colours in CMYK, crop and fold marks in registration colour outside the
trim, and the brochure's cover colour kept clear of the fold."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pypdfium2
import pytest
import yaml
from helpers import REPO, copy_project, run_cli, seed_cache
from PIL import Image

from ketabrochure.typeset import print_shop, tags
from ketabrochure.typeset.options import PrintOptions

# one xdist worker runs the module: its built copies are a module fixture
pytestmark = pytest.mark.xdist_group("test_print_shop")

BROCHURE = "trifold-what-is-ketamine-therapy"
PRINT_SHOP = (f"{BROCHURE}-letter-en-print-shop", f"{BROCHURE}-letter-es-print-shop",
              "handout-ptsd-letter-en-print-shop")
OFFICE = f"{BROCHURE}-letter-en"
PT_PER_IN = 72.0
BLEED = 0.125 * PT_PER_IN
# The tri-fold's folds, in inches from the trim's left edge: outside flap 3.625 | back 3.6875 |
# front 3.6875; inside 3.6875 | 3.6875 | 3.625.
FOLDS_IN = {0: (3.625, 7.3125), 1: (3.6875, 7.375)}
CLEAR_IN = 1 / 16  # the front cover's colour stops this far short of the fold
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Path:
    """The print-shop copies of the brochure (both languages) and a handout, and the office
    brochure, built in a copy of the project (from the session's render cache: same bytes)."""
    root = seed_cache(built, copy_project(tmp_path_factory.mktemp("shop")))
    result = run_cli(root, "build", "--jobs", "1", *(f"{n}.pdf" for n in (*PRINT_SHOP, OFFICE)))
    assert result.code == 0, result.stderr + result.stdout
    return root / "out"


def open_pdf(folder: Path, name: str) -> pikepdf.Pdf:
    return pikepdf.open(folder / f"{name}.pdf")


def xmp(pdf: pikepdf.Pdf) -> str:
    return bytes(pdf.Root.Metadata.read_bytes()).decode()


# --- reading content streams ---------------------------------------------------------------


def forms(resources: Any, seen: set[tuple[int, int]] | None = None) -> Iterator[Any]:
    """Every form XObject a resource dictionary reaches."""
    seen = set() if seen is None else seen
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield xobject
            yield from forms(xobject.get("/Resources") or {}, seen)


def text_colours(page: pikepdf.Page) -> dict[tuple[str, tuple[float, ...]], int]:
    """How many text-showing operators are drawn in each fill colour (colour space, values),
    following q/Q, cs/scn, k, rg and g."""
    fill: tuple[str, tuple[float, ...]] = ("/DeviceGray", (0.0,))
    stack: list[tuple[str, tuple[float, ...]]] = []
    found: dict[tuple[str, tuple[float, ...]], int] = {}
    for instruction in pikepdf.parse_content_stream(page):
        operands, op = instruction.operands, str(instruction.operator)
        values = tuple(float(v) for v in operands
                       if not isinstance(v, pikepdf.Name | pikepdf.Array | pikepdf.Dictionary))
        if op == "q":
            stack.append(fill)
        elif op == "Q":
            fill = stack.pop()
        elif op == "cs":
            fill = (str(operands[0]), ())
        elif op in ("sc", "scn"):
            fill = (fill[0], values)
        elif op in ("k", "rg", "g"):
            fill = ({"k": "/DeviceCMYK", "rg": "/DeviceRGB", "g": "/DeviceGray"}[op], values)
        elif op in TEXT_OPERATORS:
            found[fill] = found.get(fill, 0) + 1
    return found


def marks(page: pikepdf.Page) -> list[tuple[str, Any]]:
    """The instructions of the page's printer's marks: marked content /Artifact with
    /Type /Page (production aids: crop and fold marks), as (operator, operands)."""
    inside, depth, found = False, 0, []
    for instruction in pikepdf.parse_content_stream(page):
        operands, op = instruction.operands, str(instruction.operator)
        if op in ("BDC", "BMC"):
            depth += 1
            if (not inside and op == "BDC" and operands[0] == "/Artifact"
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and operands[1].get("/Type") == "/Page"):
                inside, start = True, depth
                continue
        elif op == "EMC":
            if inside and depth == start:
                inside = False
            depth -= 1
        if inside:
            found.append((op, list(operands)))
    return found


def lines(instructions: list[tuple[str, Any]]) -> list[tuple[bool, tuple[float, ...]]]:
    """Each `x0 y0 m x1 y1 l S` segment: (dashed, (x0, y0, x1, y1))."""
    dashed, start, found = False, None, []
    for op, operands in instructions:
        if op == "d":
            dashed = len(operands[0]) > 0
        elif op == "m":
            start = tuple(float(v) for v in operands)
        elif op == "l" and start is not None:
            found.append((dashed, (*start, *(float(v) for v in operands))))
    return found


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    left, bottom, right, top = (float(v) for v in page.obj[name])
    return left, bottom, right, top


def outside(point: tuple[float, ...], rect: tuple[float, float, float, float]) -> bool:
    x, y = point
    return x < rect[0] - 0.01 or x > rect[2] + 0.01 or y < rect[1] - 0.01 or y > rect[3] + 0.01


# --- what the shop receives ------------------------------------------------------------------


def check_output_intent(pdf: pikepdf.Pdf) -> None:
    intents = pdf.Root.get("/OutputIntents")
    assert intents is not None and len(intents) == 1, "one output intent"
    intent = intents[0]
    assert intent.S == "/GTS_PDFX"
    profile = intent.DestOutputProfile
    assert profile.N == 4, "a CMYK profile"
    assert bytes(profile.read_bytes()) == print_shop.PROFILE.read_bytes()
    assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_output_intent_is_the_cmyk_press_profile(shop: Path, name: str) -> None:
    check_output_intent(open_pdf(shop, name))


def check_pdfx4(pdf: pikepdf.Pdf) -> None:
    """The identification WeasyPrint 70 writes for pdf/x-4 (weasyprint/pdf/metadata.py): in
    the XMP only (the Info keys are for PDF/X-1a and X-3), PDF 1.6, /Trapped."""
    meta = xmp(pdf)
    for key in ("pdfxid:GTS_PDFXVersion", "pdfx:GTS_PDFXVersion", "pdfx:GTS_PDFXConformance"):
        assert f"<{key}>PDF/X-4</{key}>" in meta, key
    for key in ("xmp:MetadataDate", "xmpMM:DocumentID", "xmpMM:VersionID",
                "xmpMM:RenditionClass", "xmp:CreateDate", "xmp:ModifyDate", "dc:title"):
        assert f"<{key}>" in meta, key
    assert pdf.pdf_version == "1.6"
    assert pdf.docinfo.get("/Trapped") == "/False"
    assert "/Filter" not in pdf.Root.Metadata, "the XMP is left uncompressed"


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_pdfx4_identification(shop: Path, name: str) -> None:
    check_pdfx4(open_pdf(shop, name))


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_still_tagged_and_identified_as_pdf_ua_1(shop: Path, name: str) -> None:
    pdf = open_pdf(shop, name)
    assert 'pdfuaid:part="1"' in xmp(pdf)
    assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
    assert tags.audit((shop / f"{name}.pdf").read_bytes()) == []
    assert pdf.check_pdf_syntax() == []


def test_office_copy_stays_pdf_ua_1_without_output_intent(shop: Path) -> None:
    pdf = open_pdf(shop, OFFICE)
    assert "/OutputIntents" not in pdf.Root
    meta = xmp(pdf)
    assert "pdfuaid:part" in meta and "GTS_PDFXVersion" not in meta


def check_boxes(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        assert "/TrimBox" in page.obj and "/BleedBox" in page.obj, f"page {number}"
        media, trim, bleed = box(page, "/MediaBox"), box(page, "/TrimBox"), box(page, "/BleedBox")
        assert bleed == pytest.approx((trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED,
                                       trim[3] + BLEED), abs=0.01), f"page {number}"
        assert media[0] < bleed[0] and media[1] < bleed[1], "marks need room outside the bleed"
        assert media[2] > bleed[2] and media[3] > bleed[3]


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_trim_and_bleed_box_on_every_page(shop: Path, name: str) -> None:
    check_boxes(open_pdf(shop, name))


# --- colour --------------------------------------------------------------------------------


def check_no_rgb(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        for stream in (page, *forms(page.obj.Resources)):
            ops = {str(i.operator) for i in pikepdf.parse_content_stream(stream)}
            assert not ops & {"rg", "RG"}, f"page {number}: DeviceRGB colour {ops & {'rg', 'RG'}}"
    for obj in pdf.objects:  # colour spaces of images, groups, shadings and resources
        assert "/DeviceRGB" not in names(obj), f"{obj.objgen}: DeviceRGB"


def names(obj: Any) -> set[str]:
    """The names in an object's own dictionaries and arrays (not following references)."""
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Name):
        return {str(obj)}
    if isinstance(obj, pikepdf.Dictionary):
        items = list(obj.values())
    elif isinstance(obj, pikepdf.Array):
        items = list(obj)
    else:
        return set()
    items = [v for v in items if not (isinstance(v, pikepdf.Object) and v.is_indirect)]
    return set().union(*(names(v) for v in items)) if items else set()


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_no_rgb_colour_anywhere(shop: Path, name: str) -> None:
    """Text, rules, fields, the SVG logo and QR code: all in DeviceCMYK or a separation."""
    check_no_rgb(open_pdf(shop, name))


def check_body_text_black_ink(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        colours = text_colours(page)
        assert {space for space, _ in colours} == {"/DeviceCMYK"}, f"page {number}: {colours}"
        body = max(colours, key=lambda c: colours[c])
        assert body == ("/DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), f"page {number}: body text {body}"


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_body_text_is_black_ink_only(shop: Path, name: str) -> None:
    """Most text is drawn with `/DeviceCMYK cs 0 0 0 1 scn`: K, no C, M or Y."""
    check_body_text_black_ink(open_pdf(shop, name))


def hex_rgb(value: str) -> tuple[int, int, int]:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def css_cmyk(css: str, name: str) -> tuple[float, ...]:
    found = re.search(rf"{name}:\s*device-cmyk\(([^)]*)\)", css)
    assert found, f"{name} is not given in device-cmyk()"
    return tuple(float(v) for v in found.group(1).split())


def test_brand_colours_are_the_clinics_in_cmyk() -> None:
    """The print-shop CSS gives content/clinic.yaml's colours as the press profile prints them
    (print_shop.cmyk); change a colour there and this says what to write."""
    colours = yaml.safe_load((REPO / "content/clinic.yaml").read_text())["colors"]
    css = (REPO / "layouts/_shared/print-shop-cmyk.css").read_text()
    for variable, key in (("--brand", "primary"), ("--accent", "accent")):
        expected = print_shop.cmyk(hex_rgb(colours[key]))
        shown = " ".join(f"{v:g}" for v in expected)
        assert css_cmyk(css, variable) == pytest.approx(expected, abs=0.001), \
            f"write {variable}: device-cmyk({shown}); /* colors.{key} {colours[key]} */"
    assert css_cmyk(css, "--ink") == (0, 0, 0, 1)


def test_the_colour_conversion() -> None:
    """Greys on the black plate alone, as light as they are; colours through the profile."""
    assert print_shop.cmyk((0, 0, 0)) == print_shop.cmyk((27, 27, 27)) == (0, 0, 0, 1)
    assert print_shop.cmyk((255, 255, 255)) == (0, 0, 0, 0)
    light, dark = print_shop.cmyk((200, 200, 200)), print_shop.cmyk((74, 74, 74))
    assert light[:3] == dark[:3] == (0, 0, 0) and 0 < light[3] < dark[3] < 1
    c, m, y, k = print_shop.cmyk(hex_rgb("#1f4e6b"))
    assert c > m > y and k > 0  # a dark blue


def test_brand_colour_fills_the_cover(shop: Path) -> None:
    colours = yaml.safe_load((REPO / "content/clinic.yaml").read_text())["colors"]
    brand = tuple(print_shop.cmyk(hex_rgb(colours["primary"])))
    pdf = open_pdf(shop, f"{BROCHURE}-letter-en-print-shop")
    page = pdf.pages[0]
    fills = [tuple(float(v) for v in i.operands) for i in pikepdf.parse_content_stream(page)
             if str(i.operator) in ("scn", "k")]
    assert brand in fills


# --- marks ---------------------------------------------------------------------------------


def check_marks_in_registration_colour(pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        for form in forms(page.obj.Resources):
            assert "/Group" not in form, \
                f"page {number}: a transparency group (WeasyPrint draws `marks: crop` in one)"
        found = marks(page)
        assert found, f"page {number}: no printer's marks"
        ops = {op for op, _ in found}
        assert ops <= {"q", "Q", "CS", "SCN", "w", "J", "d", "m", "l", "S"}, ops
        spaces = [operands[0] for op, operands in found if op == "CS"]
        assert spaces, f"page {number}: marks in no colour space of their own"
        for name in spaces:
            space = page.obj.Resources.ColorSpace[name]
            assert (str(space[0]), str(space[1]), str(space[2])) == \
                ("/Separation", "/All", "/DeviceCMYK")
        assert all(operands == [1] for op, operands in found if op == "SCN"), "full tint"
        bleed = box(page, "/BleedBox")
        crops = [segment for dashed, segment in lines(found) if not dashed]
        assert len(crops) == 8, "two crop marks at each corner"
        for segment in crops:
            assert outside(segment[:2], bleed) and outside(segment[2:], bleed), segment


@pytest.mark.parametrize("name", PRINT_SHOP)
def test_crop_marks_in_registration_colour_without_transparency(shop: Path, name: str) -> None:
    check_marks_in_registration_colour(open_pdf(shop, name))


def check_fold_marks(pdf: pikepdf.Pdf) -> None:
    for index, page in enumerate(pdf.pages):
        trim, bleed = box(page, "/TrimBox"), box(page, "/BleedBox")
        folds = [(x0, min(y0, y1), max(y0, y1)) for dashed, (x0, y0, x1, y1)
                 in lines(marks(page)) if dashed and x0 == x1]
        expected = [trim[0] + inches * PT_PER_IN for inches in FOLDS_IN[index]]
        assert sorted({round(x, 2) for x, _, _ in folds}) == pytest.approx(expected, abs=0.05)
        for x, low, high in folds:
            assert high < bleed[1] or low > bleed[3], f"fold mark at {x} inside the bleed"
        above = [f for f in folds if f[1] > trim[3]]
        below = [f for f in folds if f[2] < trim[1]]
        assert len(above) == len(below) == 2, "a mark above and below the sheet at each fold"


def test_fold_marks_outside_the_trim_at_the_folds(shop: Path) -> None:
    for lang in ("en", "es"):
        check_fold_marks(open_pdf(shop, f"{BROCHURE}-letter-{lang}-print-shop"))


def test_a_handout_has_no_fold_marks(shop: Path) -> None:
    for page in open_pdf(shop, "handout-ptsd-letter-en-print-shop").pages:
        assert not [segment for dashed, segment in lines(marks(page)) if dashed]


def check_cover_clear_of_the_fold(path: Path) -> None:
    """On the outside, the front cover's colour starts 1/16 in right of the back|front fold."""
    pdf = pypdfium2.PdfDocument(path)
    page = pdf[0]
    scale = 4
    image = page.render(scale=scale).to_pil().convert("RGB")
    with pikepdf.open(path) as document:
        left = float(document.pages[0].obj.TrimBox[0])
        media = [float(v) for v in document.pages[0].obj.MediaBox]
    px = scale  # pixels per pt

    def column(x_pt: float) -> set[tuple[int, int, int]]:
        x = round((x_pt - media[0]) * px)
        rows = range(round(1.5 * PT_PER_IN * px), round(7 * PT_PER_IN * px))
        return {image.getpixel((x, y)) for y in rows}

    def art(colour: tuple[int, int, int]) -> bool:
        return colour[2] - colour[0] > 40

    fold = left + FOLDS_IN[0][1] * PT_PER_IN
    clear = CLEAR_IN * PT_PER_IN
    for x in (fold - clear, fold, fold + 1, fold + clear - 1):
        assert not any(art(c) for c in column(x)), f"cover colour {x - fold:.1f} pt from the fold"
    assert all(art(c) for c in column(fold + clear + 1)), "the cover colour starts after 1/16 in"


def test_cover_colour_keeps_clear_of_the_fold(shop: Path) -> None:
    check_cover_clear_of_the_fold(shop / f"{BROCHURE}-letter-en-print-shop.pdf")


# --- separations, reproducibility, the cache key ---------------------------------------------


def plates(path: Path, page: int, folder: Path) -> dict[str, Image.Image]:
    """Ghostscript's separations of one page (tiffsep), by ink."""
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", "-r72",
                    f"-dFirstPage={page}", f"-dLastPage={page}",
                    f"-sOutputFile={folder / 'page.tif'}", str(path)], check=True)
    return {ink: Image.open(folder / f"page({ink}).tif").convert("L")
            for ink in ("Cyan", "Magenta", "Yellow", "Black")}


def darkest(plate: Image.Image) -> float:
    """The darkest value of a grey plate (0: full ink on a tiffsep plate)."""
    low = plate.getextrema()[0]
    assert isinstance(low, int | float)
    return low


@pytest.mark.skipif(shutil.which("gs") is None, reason="needs Ghostscript (scripts/install-system-deps.sh)")
def test_body_text_is_on_the_black_plate_only(shop: Path, tmp_path: Path) -> None:
    path = shop / f"{BROCHURE}-letter-en-print-shop.pdf"
    separated = plates(path, 2, tmp_path)
    with pdfplumber.open(path) as document:
        page = document.pages[1]
        words = page.search("Ketamine is a medicine")
        assert words
        word = words[0]
        # pdfplumber measures in pt from the MediaBox's top-left corner; gs renders the
        # MediaBox at 72 dpi, a pixel a pt
        area = (round(word["x0"]), round(word["top"]), round(word["x1"]), round(word["bottom"]))
    inked = {ink: darkest(image.crop(area)) < 128 for ink, image in separated.items()}
    assert inked == {"Cyan": False, "Magenta": False, "Yellow": False, "Black": True}


def test_two_builds_give_the_same_bytes(shop: Path) -> None:
    """WeasyPrint 70 writes a random xmpMM:DocumentID for PDF/X-4; ketabrochure derives it."""
    root = shop.parent
    name = "handout-ptsd-letter-en-print-shop.pdf"
    before = (shop / name).read_bytes()
    result = run_cli(root, "build", "--jobs", "1", "--no-cache", name)
    assert result.code == 0, result.stderr
    assert (shop / name).read_bytes() == before


def test_the_cache_key_has_the_variant_and_the_profile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The print-shop copy's key covers its variant and the CMYK profile (a system file no
    served file records); the finisher's code is in every key (typeset.options.code_digest)."""
    office = PrintOptions()
    shop_copy = PrintOptions(bleed=9.0, office=False, pdf_variant=print_shop.PDF_VARIANT)
    office_key, key = office.cache_key(), shop_copy.cache_key()
    assert office_key != key
    changed = tmp_path / "cmyk.icc"
    changed.write_bytes(print_shop.PROFILE.read_bytes() + b"\0")
    monkeypatch.setattr(print_shop, "PROFILE", changed)
    assert shop_copy.cache_key() != key
    assert office.cache_key() == office_key  # an office copy uses no CMYK profile


def test_a_missing_profile_fails_the_document(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(print_shop, "PROFILE", tmp_path / "absent.icc")
    root = copy_project(tmp_path / "project")
    result = run_cli(root, "build", "--jobs", "1", "handout-ptsd-letter-en-print-shop.pdf")
    assert result.code == 1
    assert "error[pdf.failed]" in result.stderr and "libgs-common" in result.stderr
    assert not (root / "out" / "handout-ptsd-letter-en-print-shop.pdf").exists()


def test_profile_is_from_a_debian_package() -> None:
    owner = subprocess.run(["dpkg", "-S", str(print_shop.PROFILE)], capture_output=True,
                           text=True)
    if owner.returncode != 0 and shutil.which("dpkg") is None:
        pytest.skip("not a Debian system")
    assert owner.stdout.startswith(f"{print_shop.PROFILE_PACKAGE}:"), owner.stdout + owner.stderr
    assert print_shop.PROFILE_PACKAGE in (REPO / "scripts/install-system-deps.sh").read_text()
    with io.BytesIO(print_shop.PROFILE.read_bytes()) as data:
        header = data.read(20)
    assert header[12:16] == b"prtr" and header[16:20] == b"CMYK", "a CMYK output profile"
