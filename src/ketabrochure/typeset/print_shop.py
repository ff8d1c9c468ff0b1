"""The print-shop copy as a press wants it: PDF/X-4 with a CMYK output intent, no RGB, printer's
marks in registration colour.

WeasyPrint 70 writes the PDF/X-4 itself (`pdf_variant="pdf/x-4"`: the GTS_PDFX keys in the
XMP, /Trapped, PDF 1.6) with the output intent of the `device-cmyk` colour profile; `pdf.py`
hands it `PROFILE`. The stylesheets give every colour of the HTML in `device-cmyk()`
(`layouts/_shared/print-shop-cmyk.css`). What neither can do is done here, on the written
bytes (pikepdf), after the structure tree is mended:

- colours WeasyPrint writes as DeviceRGB all the same, those of SVG pictures (the logo, the
  QR code): `cmyk()` converts each `rg`/`RG` like the stylesheet's colours were converted;
- black overprints (CSS cannot say so): each 100% K fill gets a graphics state with /op
  true, every other fill one with /op false (`_overprint`);
- crop marks: WeasyPrint draws `marks: crop` as an SVG of its own, `stroke="black"` (RGB)
  with `fill="transparent"` (an ExtGState with /ca 0) in a transparency group
  (`weasyprint/draw/__init__.py`, lines 284-349 of 70.0), which no CSS can change; so the
  print-shop stylesheets ask for no marks and this module draws them, in the outer half of
  the area beyond the trim as WeasyPrint did, in the /All separation (registration: every
  plate), with no transparency, as artifacts;
- fold marks: a box styled `--fold-mark: left` gets a dashed mark above and below the sheet,
  at its left edge (`fold_lines`);
- the XMP's xmpMM:DocumentID, a random UUID in WeasyPrint 70 (`weasyprint/pdf/metadata.py`,
  line 129), is made from the PDF's content, so two builds give the same bytes; and the
  PDF/UA-1 identification is added beside the PDF/X-4 one (WeasyPrint writes one variant's).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module

if TYPE_CHECKING:
    import pikepdf
    from PIL import Image, ImageCms
else:  # imported on first use: only a print-shop PDF needs them
    pikepdf = lazy_module("pikepdf")
    Image = lazy_module("PIL.Image")
    ImageCms = lazy_module("PIL.ImageCms")

PDF_VARIANT = "pdf/x-4"
# Debian's libgs-common (Ghostscript's ICC profiles): "Artifex CMYK SWOP Profile", an output
# profile for US web offset printing (SWOP); icc-profiles-free ships no CMYK profile.
PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
PROFILE_PACKAGE = "libgs-common"

MARK_WIDTH = 0.5  # pt
FOLD_DASH = (3, 2)  # pt: fold marks dashed, crop marks solid
REGISTRATION = "/KbRegistration"  # the /All separation's resource name
PX = 0.75  # pt per CSS px


class MissingProfile(OSError):
    """The CMYK output profile is not installed."""


def profile_bytes() -> bytes:
    try:
        return PROFILE.read_bytes()
    except OSError as exc:
        raise MissingProfile(f"the print-shop PDF needs the CMYK profile {PROFILE} (Debian "
                             f"package {PROFILE_PACKAGE}): {exc.strerror or exc}") from exc


def profile_digest() -> str:
    """The SHA-256 of the output profile (the cache keys on it), or 'missing'."""
    try:
        return hashlib.sha256(profile_bytes()).hexdigest()
    except MissingProfile:
        return "missing"


# --- colour ----------------------------------------------------------------------------------


@functools.cache
def _transforms() -> tuple[Any, Any, Any]:
    """sRGB -> the press profile (relative colorimetric, black point compensation), sRGB -> Lab
    and the press profile -> Lab, with LittleCMS (Pillow's ImageCms)."""
    press = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes()))
    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    relative = ImageCms.Intent.RELATIVE_COLORIMETRIC
    to_press = ImageCms.buildTransform(srgb, press, "RGB", "CMYK", relative,
                                      flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    return (to_press, ImageCms.buildTransform(srgb, lab, "RGB", "LAB", relative),
            ImageCms.buildTransform(press, lab, "CMYK", "LAB", relative))


def _converted(transform: Any, mode: str, pixels: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Pixels (8 bits a channel) through a LittleCMS transform."""
    image = Image.new(mode, (len(pixels), 1))
    image.putdata(pixels)
    result: Any = ImageCms.applyTransform(image, transform)
    return [result.getpixel((x, 0)) for x in range(len(pixels))]


@functools.cache
def cmyk(rgb: tuple[int, int, int]) -> tuple[float, float, float, float]:
    """An sRGB colour (0-255) on the press, in whole percent: a grey on the black plate only
    (`k_only`); any other colour converted with the profile (relative colorimetric, black
    point compensation)."""
    if max(rgb) - min(rgb) <= 1:
        return k_only(rgb)
    c, m, y, k = (round(v / 2.55) / 100 for v in _converted(_transforms()[0], "RGB", [rgb])[0])
    return (c, m, y, k)


@functools.cache
def k_only(rgb: tuple[int, int, int]) -> tuple[float, float, float, float]:
    """The tint of black ink alone that prints as light (L*) as the sRGB colour, in whole
    percent: black, and anything darker than solid K on this press, is 0 0 0 1; white 0 0 0 0."""
    _, rgb_lab, press_lab = _transforms()
    lightness = _converted(rgb_lab, "RGB", [rgb])[0][0]
    ramp = _converted(press_lab, "CMYK", [(0, 0, 0, k) for k in range(256)])
    k = min(range(256), key=lambda k: abs(ramp[k][0] - lightness))
    return (0.0, 0.0, 0.0, round(k / 2.55) / 100)


def _rgb_operands(operands: list[Any]) -> tuple[int, int, int]:
    r, g, b = (max(0, min(255, round(float(v) * 255))) for v in operands)
    return (r, g, b)


def _to_cmyk(instructions: list[Any]) -> list[Any]:
    """Content-stream instructions with every DeviceRGB colour (rg, RG) as DeviceCMYK (k, K)."""
    out = []
    for instruction in instructions:
        operands, operator = instruction.operands, str(instruction.operator)
        if operator in ("rg", "RG") and len(operands) == 3:
            values = cmyk(_rgb_operands(list(operands)))
            instruction = pikepdf.ContentStreamInstruction(
                list(values), pikepdf.Operator("k" if operator == "rg" else "K"))
        out.append(instruction)
    return out


# black overprints: 100% K fills (text, rules, the QR code) print over what is under them,
# so a plate slightly off leaves no white rim round black text on a tint; any other fill
# knocks out, as before. Set with the fill colour, so q/Q restore the two together.
OVERPRINT, KNOCKOUT = "/KbOverprint", "/KbKnockout"
BLACK = (0.0, 0.0, 0.0, 1.0)


def _overprint(instructions: list[Any]) -> list[Any]:
    """After each DeviceCMYK fill colour (k, or scn/sc of four numbers), the graphics state
    that makes it overprint (100% K) or knock out (anything else)."""
    out = []
    for instruction in instructions:
        out.append(instruction)
        operands, operator = instruction.operands, str(instruction.operator)
        if operator in ("k", "scn", "sc") and len(operands) == 4 and not any(
                isinstance(v, pikepdf.Name) for v in operands):  # a pattern is named
            black = tuple(float(v) for v in operands) == BLACK
            out.append(pikepdf.ContentStreamInstruction(
                [pikepdf.Name(OVERPRINT if black else KNOCKOUT)], pikepdf.Operator("gs")))
    return out


def _overprint_states(pdf: pikepdf.Pdf, resources: Any) -> None:
    """The two graphics states, in a resource dictionary (/OPM 1: a 0 in a CMYK colour leaves
    that plate alone)."""
    if "/ExtGState" not in resources:
        resources.ExtGState = pikepdf.Dictionary()
    for name, on in ((OVERPRINT, True), (KNOCKOUT, False)):
        resources.ExtGState[name] = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name("/ExtGState"), op=on, OPM=1))


def _forms(resources: Any, seen: set[tuple[int, int]]) -> list[Any]:
    """The form XObjects a resource dictionary reaches, each once."""
    found = []
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") != "/Form" or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        found.append(xobject)
        found += _forms(xobject.get("/Resources") or {}, seen)
    return found


# --- marks ------------------------------------------------------------------------------------


def fold_lines(document: Any) -> list[list[float]]:
    """Each page's fold positions, in pt from the trim's left edge: the left edge of every box
    styled `--fold-mark: left` (measured where it was laid out)."""
    folds: list[list[float]] = []
    for page in document.pages:
        found: set[float] = set()
        _walk_folds(page._page_box, found)
        folds.append(sorted(found))
    return folds


def _walk_folds(box: Any, found: set[float]) -> None:
    style = getattr(box, "style", None)
    if style is not None and box.element is not None and _fold_mark(style):
        found.add(round(box.border_box_x() * PX, 3))
        return
    for child in getattr(box, "children", ()):
        _walk_folds(child, found)


def _fold_mark(style: Any) -> bool:
    try:
        value = style["__fold_mark"]
    except KeyError:
        return False
    return any(getattr(token, "value", None) == "left" for token in value or ())


def _marks(media: list[float], trim: list[float], folds: list[float]) -> bytes:
    """Crop marks at the trim's corners and fold marks at `folds`, each from the sheet's edge
    (MediaBox) to halfway to the trim: outside the bleed, off the artwork."""
    m_left, m_bottom, m_right, m_top = media
    left, bottom, right, top = trim
    solid: list[tuple[float, float, float, float]] = []
    for y, y_edge in ((bottom, m_bottom), (top, m_top)):
        for x, x_edge in ((left, m_left), (right, m_right)):
            solid.append((x_edge, y, (x_edge + x) / 2, y))  # horizontal, at the trim's y
            solid.append((x, y_edge, x, (y_edge + y) / 2))  # vertical, at the trim's x
    dashed = [(left + fold, y_edge, left + fold, (y_edge + y) / 2)
              for fold in folds for y, y_edge in ((bottom, m_bottom), (top, m_top))]
    lines = [b"q", b"/Artifact <</Type /Page>> BDC",
             f"{REGISTRATION} CS 1 SCN {MARK_WIDTH:g} w 0 J [] 0 d".encode()]
    lines += [f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S".encode() for x0, y0, x1, y1 in solid]
    if dashed:
        lines.append(f"[{FOLD_DASH[0]:g} {FOLD_DASH[1]:g}] 0 d".encode())
        lines += [f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S".encode()
                  for x0, y0, x1, y1 in dashed]
    lines += [b"EMC", b"Q"]
    return b"\n".join(lines) + b"\n"


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The /All separation: a tint of 1 puts full ink on every plate (100 % C, M, Y and K in
    the CMYK alternate)."""
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1],
                              N=1)
    return pdf.make_indirect(pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All,
                                            pikepdf.Name.DeviceCMYK, pdf.make_indirect(tint)]))


# --- metadata ------------------------------------------------------------------------------

DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")
PDFUA = (b'<rdf:Description xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" rdf:about="" '
         b'pdfuaid:part="1" />')


def _metadata(pdf: pikepdf.Pdf, digest: bytes) -> None:
    """A DocumentID made from the content instead of WeasyPrint's random one, and the PDF/UA-1
    identification beside the PDF/X-4 one (the file is tagged like the office copy)."""
    stream = pdf.Root.Metadata
    xmp = stream.read_bytes()
    xmp = DOCUMENT_ID.sub(b"xmp.did:" + str(uuid.UUID(bytes=digest[:16])).encode(), xmp)
    if b"pdfuaid:part" not in xmp:
        xmp = xmp.replace(b"</rdf:RDF>", PDFUA + b"</rdf:RDF>", 1)
    stream.write(xmp)  # left uncompressed, as WeasyPrint writes it for PDF/X-4


# --- the finish ------------------------------------------------------------------------------


def finish(data: bytes, folds: list[list[float]]) -> bytes:
    """The print-shop PDF: RGB as CMYK, black overprinting, crop and fold marks in
    registration colour, a reproducible DocumentID and the PDF/UA-1 identification."""
    pdf = pikepdf.open(io.BytesIO(data))
    # the DocumentID's source: the XMP without WeasyPrint's random UUID, and every page's
    # content (the trailer's /ID cannot be: it is derived from that UUID)
    digest = hashlib.sha256(DOCUMENT_ID.sub(b"", pdf.Root.Metadata.read_bytes()))
    seen: set[tuple[int, int]] = set()
    registration = _registration(pdf)
    for number, page in enumerate(pdf.pages):
        resources = page.obj.Resources
        if "/ColorSpace" not in resources:
            resources.ColorSpace = pikepdf.Dictionary()
        resources.ColorSpace[REGISTRATION] = registration
        _overprint_states(pdf, resources)
        for form in _forms(resources, seen):
            if "/Resources" not in form:
                form.Resources = pikepdf.Dictionary()
            _overprint_states(pdf, form.Resources)
            form.write(pikepdf.unparse_content_stream(
                _overprint(_to_cmyk(list(pikepdf.parse_content_stream(form))))))
        body = pikepdf.unparse_content_stream(
            _overprint(_to_cmyk(list(pikepdf.parse_content_stream(page)))))
        digest.update(body)
        marks = _marks([float(v) for v in page.obj.MediaBox], [float(v) for v in page.obj.TrimBox],
                       folds[number] if number < len(folds) else [])
        page.obj.Contents = pdf.make_stream(b"q\n" + body + b"\nQ\n" + marks)
    _metadata(pdf, digest.digest())
    del pdf.trailer.ID  # qpdf would keep its first half, derived from WeasyPrint's UUID
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
