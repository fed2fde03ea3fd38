"""Which regions' statistics a reader may read (``docs/permissions.md``, 统计的范围).

A township office reads its own township, and the 月晾晒 of its county (the ranking is published to every
township of the county); a county safety office and a regulator read their county and its townships; the
administrator and leaders read every region. Without a region a reader gets its home region. A region outside
the reader's answers 403: region codes are public, so refusing one tells nobody anything new.
"""

from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.errors import Forbidden
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.stats.queries import statistical_region
from inspect_loop.users.models import User
from inspect_loop.users.permissions import home_county, home_region

OUTSIDE = ("只能查看本辖区的统计", "You may read the statistics of your own area only.")


def _within(region: Region, home: Region | None) -> bool:
    return home is None or region.ancestor(home.level) == home


def figures_region(actor: User, code: str | None) -> str | None:
    """The region code the figures are computed for: ``code`` when the reader may read it, its home region
    when none is asked (None = every region, for readers without one)."""
    home = home_region(actor)
    if not code:
        return home.code if home is not None else None
    region = statistical_region(code)  # unknown codes 404, villages and grids 400
    if not _within(region, home):
        raise Forbidden(*OUTSIDE)
    return region.code


def ranking_region(actor: User, code: str | None) -> str | None:
    """The county code whose townships are ranked: ``code`` when it lies in the reader's county, the reader's
    county when none is asked."""
    county = home_county(actor)
    if not code:
        return county.code if county is not None else None
    region = statistical_region(code)
    if not _within(region, county):
        raise Forbidden(*OUTSIDE)
    return region.code


def readable_regions(actor: User) -> list[Region]:
    """The counties and townships a reader may choose, each county followed by its townships."""
    home = home_region(actor)
    statement = select(Region).where(Region.level.in_((RegionLevel.county, RegionLevel.township)))
    if home is not None and home.level == RegionLevel.township:
        statement = statement.where(Region.id == home.id)
    elif home is not None:
        statement = statement.where((Region.id == home.id) | (Region.parent_id == home.id))
    return list(db.session.scalars(statement.order_by(Region.code)))


def readable_counties(actor: User) -> list[Region]:
    """The counties whose 月晾晒 a reader may read."""
    county = home_county(actor)
    statement = select(Region).where(Region.level == RegionLevel.county)
    if county is not None:
        statement = statement.where(Region.id == county.id)
    return list(db.session.scalars(statement.order_by(Region.code)))
