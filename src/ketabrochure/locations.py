"""Clinic locations: read from clinic.yaml's `locations`, and each per-location document's
contact block (a location's own details, or the clinic's when it lists none)."""

from __future__ import annotations

import dataclasses

from . import model as m
from .diagnostics import Diagnostics
from .fields import Fields
from .layouts import Layout

LOCATION_FIELDS = ("id", "name", "address", "phone", "booking_url", "referral_url")


def read_locations(clinic: Fields, diags: Diagnostics) -> tuple[m.ClinicLocation, ...]:
    """clinic.yaml's optional `locations` list; ids must be unique file-name words."""
    from .content import ID_RE, URL_RE

    found: list[m.ClinicLocation] = []
    for i, node in enumerate(clinic.items("locations", required=False)):
        f = Fields(node, f"locations[{i + 1}]", diags, LOCATION_FIELDS)
        if not f.ok:
            continue
        ident, name, phone = f.text("id"), f.text("name"), f.text("phone")
        address, _ = f.text_list("address")
        urls = {k: f.text(k, required=False) for k in ("booking_url", "referral_url")}
        for key, url in urls.items():
            if url is not None and not URL_RE.match(url):
                f.error(f.loc(key), f"'{url}' is not a web address starting with https://",
                        code="content.url", where=f"{f.where}.{key}")
        if ident is not None and not ID_RE.match(ident):
            f.error(f.loc("id"), f"'{ident}' must be lower-case letters, digits and hyphens",
                    code="content.id", where=f"{f.where}.id")
            ident = None
        if ident is not None and any(x.id == ident for x in found):
            f.error(f.loc("id"), f"a location '{ident}' is already listed",
                    code="content.duplicate", where=f"{f.where}.id")
            ident = None
        if ident and name and phone:
            found.append(m.ClinicLocation(ident, name, address, phone, urls["booking_url"],
                                          urls["referral_url"], node.loc))
    return tuple(found)


def locations(project: m.Project, layout: Layout) -> list[str | None]:
    """The location ids a layout's documents are made for: each location, or just one (None)."""
    if layout.per_location and project.clinic.locations:
        return [where.id for where in project.clinic.locations]
    return [None]


def contact(clinic: m.Clinic, location_id: str | None) -> m.ClinicLocation:
    """The contact block for a document: its location's, else the clinic's main details."""
    for where in clinic.locations:
        if where.id == location_id:
            if where.booking_url or where.referral_url:
                return where
            # a site without web addresses of its own: its QR code goes to the clinic's page
            return dataclasses.replace(where, referral_url=clinic.referral_url)
    return m.ClinicLocation("main", clinic.name, clinic.address, clinic.phone,
                            None, clinic.referral_url, clinic.loc)
