"""The clinic and its sites, and the contact block a document prints."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..diagnostics import Location
from .research import Locs, _locs
from .review import Reviewer


@dataclass(frozen=True)
class ClinicLocation:
    """One of the clinic's sites: patient documents are made once per location.

    As read from clinic.yaml, None (address, phone, referral_url) means "the clinic's own":
    a site lists only what differs, so a changed clinic phone reaches every site that shares
    it. `contact` fills them in; templates only ever see its result.
    """

    id: str
    name: str
    address: tuple[str, ...] | None
    phone: str | None
    booking_url: str | None
    referral_url: str | None
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)  # where each field is written


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
    reviewers: tuple[Reviewer, ...] = ()  # who may sign documents off (ketabrochure approve)


def contact(clinic: Clinic, location_id: str | None) -> ClinicLocation:
    """The contact block for a document: its location's, each detail it leaves out taken from
    the clinic (address, phone, referral page: a site without web addresses of its own sends
    its QR code to the clinic's page); with no such location, the clinic's main details."""
    for where in clinic.locations:
        if where.id == location_id:
            return dataclasses.replace(
                where, address=where.address or clinic.address, phone=where.phone or clinic.phone,
                referral_url=where.referral_url or clinic.referral_url)
    return ClinicLocation("main", clinic.name, clinic.address, clinic.phone,
                          None, clinic.referral_url, clinic.loc)
