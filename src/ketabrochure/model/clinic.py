"""The clinic and its sites, and the contact block a document prints."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..diagnostics import Location
from .research import Locs, _locs


@dataclass(frozen=True)
class ClinicLocation:
    """One of the clinic's sites: patient documents are made once per location."""

    id: str
    name: str
    address: tuple[str, ...]
    phone: str
    booking_url: str | None
    referral_url: str | None
    loc: Location


@dataclass(frozen=True)
class Clinic:
    name: str
    address: tuple[str, ...]
    phone: str
    email: str | None
    website: str
    referral_url: str
    referral_line: str
    logo: str | None
    colors: dict[str, str]
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)
    locations: tuple[ClinicLocation, ...] = ()


def contact(clinic: Clinic, location_id: str | None) -> ClinicLocation:
    """The contact block for a document: its location's, else the clinic's main details."""
    for where in clinic.locations:
        if where.id == location_id:
            if where.booking_url or where.referral_url:
                return where
            # a site without web addresses of its own: its QR code goes to the clinic's page
            return dataclasses.replace(where, referral_url=clinic.referral_url)
    return ClinicLocation("main", clinic.name, clinic.address, clinic.phone,
                          None, clinic.referral_url, clinic.loc)
