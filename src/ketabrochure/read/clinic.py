"""Stage 2, the clinic: clinic.yaml (name, contact, logo, colours) and its optional
`locations` read into the model, every problem collected and located."""

from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics, Location
from .fields import COLOR_RE, ID_RE, Fields
from .reader import Reader

LOCATION_FIELDS = ("id", "name", "address", "phone", "booking_url", "referral_url")


class ClinicReader(Reader):
    """Reads clinic.yaml."""

    def clinic(self, path: Path | None) -> m.Clinic | None:
        if path is None:
            return None
        f = self.fields(path, ("name", "address", "phone", "email", "website", "referral_url",
                               "referral_line", "logo", "colors", "locations", "reviewers"))
        if f is None:
            return None
        address, _ = f.text_list("address")
        urls = {key: f.url(key) for key in ("website", "referral_url")}
        logo = f.text("logo", required=False)
        assets = (self.root / "assets").resolve()
        if logo is not None and not (assets / logo).resolve().is_relative_to(assets):
            f.error(f.loc("logo"), f"'{logo}' must name a file inside assets/",
                    code="content.invalid", where="logo")
        elif logo is not None and not (assets / logo).is_file():
            f.error(f.loc("logo"), f"no file assets/{logo}", code="content.missing-file",
                    where="logo")
        colors: dict[str, str] = {}
        c = f.sub("colors", ("primary", "accent"))
        if c is not None:
            for key in ("primary", "accent"):
                value = c.text(key)
                if value is not None and not COLOR_RE.match(value):
                    c.error(c.loc(key), f"'{value}' is not a colour like #1a5f7a",
                            where=f"colors.{key}")
                elif value is not None:
                    colors[key] = value
        name, phone, referral_line = f.text("name"), f.text("phone"), f.text("referral_line")
        website, referral_url = urls["website"], urls["referral_url"]
        if (name is None or phone is None or referral_line is None or website is None
                or referral_url is None or len(colors) != 2):
            return None
        locations = read_locations(f, self.diags)
        repeats_clinic(locations, phone, address, referral_url, self.diags)
        return m.Clinic(name=name, address=address, phone=phone,
                        email=f.text("email", required=False), website=website,
                        referral_url=referral_url, referral_line=referral_line, logo=logo,
                        colors=colors, loc=Location(self.shown(path)), locs=f.locs(),
                        locations=locations, reviewers=read_reviewers(f, self.diags))


def _same(a: object, b: object) -> bool:
    """Equal as printed details: a phone written with other spaces or dashes, an address
    broken into other lines, are the same."""
    def shown(value: object) -> str:  # an address's lines, as one text
        text = " ".join(value) if isinstance(value, tuple) else str(value)
        return "".join(filter(str.isalnum, text)).lower()

    return shown(a) == shown(b)


def repeats_clinic(locations: tuple[m.ClinicLocation, ...], phone: str,
                   address: tuple[str, ...], referral_url: str, diags: Diagnostics) -> None:
    """A site that writes out the clinic's own phone, address or referral page keeps the old
    one when the clinic's changes: a warning to leave it out, so that it follows."""
    for where in locations:
        for key, own, clinic in (("phone", where.phone, phone),
                                 ("address", where.address, address),
                                 ("referral_url", where.referral_url, referral_url)):
            if own is not None and _same(own, clinic):
                diags.warning(where.locs.get(key, where.loc), "content.location-repeats",
                              f"locations.{where.id}.{key}",
                              f"same as the clinic's: leave it out (a location without its own "
                              f"{key} prints the clinic's, and keeps up when it changes)")


def read_reviewers(clinic: Fields, diags: Diagnostics) -> tuple[m.Reviewer, ...]:
    """clinic.yaml's optional `reviewers`: who may sign documents off, each with a role
    (ketabrochure approve --by NAME takes only a name listed here)."""
    found: list[m.Reviewer] = []
    for i, node in enumerate(clinic.items("reviewers", required=False)):
        f = Fields(node, f"reviewers[{i + 1}]", diags, ("name", "role"))
        if not f.ok:
            continue
        name, role = f.text("name"), f.text("role")
        if name and role:
            found.append(m.Reviewer(name, role, node.loc))
    return tuple(found)


def read_locations(clinic: Fields, diags: Diagnostics) -> tuple[m.ClinicLocation, ...]:
    """clinic.yaml's optional `locations` list; ids must be unique file-name words. A site's
    address, phone and web addresses are optional: left out, they are the clinic's own
    (see `model.contact`), so they are written once."""
    found: list[m.ClinicLocation] = []
    for i, node in enumerate(clinic.items("locations", required=False)):
        f = Fields(node, f"locations[{i + 1}]", diags, LOCATION_FIELDS)
        if not f.ok:
            continue
        ident, name = f.text("id"), f.text("name")
        phone = f.text("phone", required=False)
        lines, _ = f.text_list("address", required=False)
        address = lines or None
        booking_url = f.url("booking_url", required=False)
        referral_url = f.url("referral_url", required=False)
        if ident is not None and not ID_RE.match(ident):
            f.error(f.loc("id"), f"'{ident}' must be lower-case letters, digits and hyphens",
                    code="content.id", where=f"{f.where}.id")
            ident = None
        if ident is not None and any(x.id == ident for x in found):
            f.error(f.loc("id"), f"a location '{ident}' is already listed",
                    code="content.duplicate", where=f"{f.where}.id")
            ident = None
        if ident and name:
            found.append(m.ClinicLocation(ident, name, address, phone, booking_url,
                                          referral_url, node.loc, locs=f.locs()))
    return tuple(found)
