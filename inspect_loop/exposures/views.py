"""平安曝光, the public side: ``/exposures`` lists the published exposures that have not expired, without login.

The page shows only what an exposure makes public: each place (unit name and address), its serious problems
(hazard title, category, the day found) and whether each is rectified. It never shows contact names, phone
numbers, inspectors or any other user: the view hands the template plain values holding only those fields.
"""

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureStatus
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.web.helpers import paginate

bp = Blueprint("public_exposures", __name__)

EXPOSURES_PER_PAGE = 10
# The public reads "rectified or not"; a problem whose case ended with the place shut down, banned or the
# case withdrawn is neither, and says so.
RECTIFICATION = {
    FindingStatus.open: (_l("整改中"), "warn"),
    FindingStatus.closed: (_l("已整改"), "good"),
    FindingStatus.voided: (_l("已终止"), "neutral"),
}


@dataclass(frozen=True)
class PublicProblem:
    title: str
    category: str
    found_on: date
    rectification: str
    tone: str


@dataclass(frozen=True)
class PublicPlace:
    name: str
    address: str
    problems: list[PublicProblem]


@dataclass(frozen=True)
class PublicExposure:
    title: str
    published_on: date
    expires_on: date | None
    places: list[PublicPlace]

    @property
    def problem_count(self) -> int:
        return sum(len(place.problems) for place in self.places)

    @property
    def rectified_count(self) -> int:
        return sum(problem.tone == "good" for place in self.places for problem in place.problems)


def shown_exposures(today: date) -> Select:
    """Published exposures still on show today (no end date, or ending today or later), newest first."""
    return (select(Exposure)
            .where(Exposure.status == ExposureStatus.published,
                   or_(Exposure.expires_on.is_(None), Exposure.expires_on >= today))
            .order_by(Exposure.published_on.desc(), Exposure.id.desc())
            .options(selectinload(Exposure.items).selectinload(ExposureItem.unit),
                     selectinload(Exposure.items).selectinload(ExposureItem.findings)
                     .selectinload(Finding.hazard_type)))


def public_view(exposure: Exposure) -> PublicExposure:
    places = []
    for item in exposure.items:
        problems = []
        for finding in item.findings:
            label, tone = RECTIFICATION[finding.status]
            problems.append(PublicProblem(finding.hazard_type.title, finding.hazard_type.category, finding.found_on,
                                          str(label), tone))
        places.append(PublicPlace(item.unit.name, item.unit.address, problems))
    return PublicExposure(exposure.title, exposure.published_on, exposure.expires_on, places)


@bp.get("/exposures")
@cached_page
def exposures():
    pager = paginate(shown_exposures(clock.today()), per_page=EXPOSURES_PER_PAGE)
    return render_template("public/exposures.html", pager=pager,
                           exposures=[public_view(exposure) for exposure in pager.items])
