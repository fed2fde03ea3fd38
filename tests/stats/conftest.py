"""A county's half year built through the domain operations, day by day, under a frozen clock.

Units (兰江街道 = east, 马涧镇 = west; the factory sits in a village of 马涧镇):

| unit | township | story |
| --- | --- | --- |
| shop (U1) | east | XF-01 found 03-02; re-inspection 03-12 fails → warning; ABSENT from round 1 (03-19), ATTENDS round 2 (03-26); 交办单 deadline 04-10; reported 04-08 (on time), closed out 04-15 (after the deadline: still on time); XF-01 again on 06-15 = close-out + exactly two months: a recurrence, its case opens at 二次警示 |
| market (U2) | east | XF-01 and SP-01 found 03-02; re-inspection 03-12 sees XF-01 rectified (closed at reminder, after its 03-09 deadline) and SP-01 not → warning; attends round 1; SP-01 交办单 deadline 04-05, reported 04-04, closed out 04-05; XF-01 (the reminder-stage type) found again 05-20 |
| factory (U3) | west | YD-01 found 03-03; re-inspection 03-10 fails; attends round 1; 交办单 deadline 04-01; reported and closed out 04-03 (LATE); XF-02 (other type) 05-10 and YD-01 on 06-04 = close-out + two months + one day |
| diner (U4) | east | XF-02 found 03-02; re-inspection 03-16 fails; attends round 2; follow-up 04-20 fails → enforcement; joint enforcement 04-25, fine 04-26, suspension 04-27 |
| depot (U5) | west | SC-01 (major) found 03-04; escalated to enforcement 03-05; SHUT DOWN 05-10 |
| hostel (U6) | west | XF-01 found 03-04; escalated to enforcement 03-05; joint enforcement and BAN 05-12 |
| kiosk (U7) | east | XF-01 found 03-02; re-inspection 03-12 fails; ABSENT from round 2; escalated to enforcement 03-27 |
| school (U9) | east | XF-02 found 05-04; re-inspection 05-11 sees it rectified before its 05-14 deadline |
| mill (U8) | west | YD-01 found 06-01; re-inspection 06-08 fails; attends round 3 on 07-02 (after the main period) |

Rounds: 1 on 03-19 (12 participants: shop absent, market and factory attend), 2 on 03-26 (20: shop and diner
attend, kiosk absent), 3 on 07-02 (8: mill attends). Exposures: one published 05-15 listing shop/F1 (closed)
and diner/F4 (open); a draft listing kiosk; one published 07-05 listing factory/F3.
"""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

import inspect_loop.api.stats  # noqa: F401  (registers the /stats routes before the session's app is built)
from inspect_loop import clock
from inspect_loop.assignments.operations import close_out, issue_assignment, sign_off
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureStatus
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.units.operations import create_unit
from tests.factories import inspect
from tests.helpers import at
from tests.kept import kept


def day(text: str) -> date:
    return date.fromisoformat(text)


def found(county, unit, code, on, kind=InspectionKind.unannounced, hour=10):
    with at(on, hour):
        return inspect(county, unit, code, kind=kind).findings[0]


def reinspect(county, unit, results, on, kind=InspectionKind.reinspection):
    with at(on, 14):
        inspect(county, unit, kind=kind, verified=results)


def interview_round(county, on, cases_attending, participants):
    """Convene a round on ``on`` for the cases, then record attendance: ``cases_attending`` is [(case, bool)]."""
    with at(on, 9):
        held = convene_round(county.users.office, held_at=datetime.fromisoformat(f"{on}T14:30").replace(tzinfo=LOCAL_TZ),
                             venue="兰溪市平安警示教育站", convened_by=county.office, departments=[county.fire],
                             cases=[case for case, _ in cases_attending], participants=participants)
    with at(on, 16):
        for case, attended in cases_attending:
            record_attendance(county.users.office, held, case, attended=attended,
                              attendee_name="李四" if attended else None)
    return held


def assign(county, case, regulator, on, deadline):
    with at(on, 17):
        return issue_assignment(county.users.office, case, regulator, deadline=day(deadline))


def township_user(county, unit):
    return county.users.east if unit.township_id == county.east.id else county.users.west


def report(county, finding, on):
    with at(on, 9):
        report_rectification(township_user(county, finding.unit), finding, "已整改，附照片")


def approve(regulator_user, finding, on):
    with at(on, 11):
        sign_off(regulator_user, finding, approved=True, note="符合要求")


def close(county, finding, on):
    with at(on, 15):
        close_out(township_user(county, finding.unit), finding, note="验收销号")


def enforce(county, case, action, on, amount=None):
    with at(on, 10):
        return record_enforcement(county.users.office, case, action, departments=[county.fire],
                                  amount=Decimal(amount) if amount else None)


def publish_exposure(county, database, title, on, items, draft=False):
    """平安曝光 with ``items`` [(unit, [findings])]. Written through the models: the exposure operations
    belong to another part of the product; only the fields the statistics read matter here."""
    with at(on, 10):
        moment = clock.now()
        exposure = Exposure(title=title, status=ExposureStatus.draft if draft else ExposureStatus.published,
                            created_at=moment, created_by_id=county.users.office.id,
                            published_at=None if draft else moment,
                            published_on=None if draft else clock.local_date(moment))
        exposure.items = [ExposureItem(unit_id=unit.id, findings=list(findings)) for unit, findings in items]
        database.session.add(exposure)
        database.session.flush()
    return exposure


@pytest.fixture
def year(county, database):
    return kept("year", lambda: build_year(county, database))


def build_year(county, database):
    c = county
    admin = c.users.admin
    with at("2026-03-01", 9):
        diner = create_unit(admin, name="兰江小吃店", region=c.east, category="餐饮")
        depot = create_unit(admin, name="马涧物流仓储中心", region=c.west, category="物流仓储")
        hostel = create_unit(admin, name="马涧民宿", region=c.west, category="宾馆")
        kiosk = create_unit(admin, name="兰江便民亭", region=c.east, category="商铺")
        school = create_unit(admin, name="兰江幼儿园", region=c.east, category="学校")
        mill = create_unit(admin, name="马涧竹木制品厂", region=c.west, category="工厂")
    shop, market, factory = c.units.shop, c.units.market, c.units.factory

    f1 = found(c, shop, "XF-01", "2026-03-02")
    with at("2026-03-02", 11):
        market_inspection = inspect(c, market, "XF-01", "SP-01")
    f2a, f2b = market_inspection.findings
    f4 = found(c, diner, "XF-02", "2026-03-02")
    f7 = found(c, kiosk, "XF-01", "2026-03-02")
    f3 = found(c, factory, "YD-01", "2026-03-03")
    f5 = found(c, depot, "SC-01", "2026-03-04")
    f6 = found(c, hostel, "XF-01", "2026-03-04")
    with at("2026-03-05", 9):
        ladder.escalate(f5.case, c.users.office, "重大隐患且拒不整改", to_stage=Stage.enforcement)
        ladder.escalate(f6.case, c.users.office, "重大隐患且拒不整改", to_stage=Stage.enforcement)

    reinspect(c, factory, [(f3, False)], "2026-03-10")
    reinspect(c, shop, [(f1, False)], "2026-03-12")
    reinspect(c, market, [(f2a, True), (f2b, False)], "2026-03-12")
    reinspect(c, kiosk, [(f7, False)], "2026-03-12")
    reinspect(c, diner, [(f4, False)], "2026-03-16")

    round1 = interview_round(c, "2026-03-19", [(f1.case, False), (f2b.case, True), (f3.case, True)], 12)
    assign(c, f2b.case, c.market, "2026-03-19", "2026-04-05")
    assign(c, f3.case, c.emergency, "2026-03-19", "2026-04-01")
    round2 = interview_round(c, "2026-03-26", [(f1.case, True), (f4.case, True), (f7.case, False)], 20)
    assign(c, f1.case, c.fire, "2026-03-26", "2026-04-10")
    assign(c, f4.case, c.fire, "2026-03-26", "2026-04-10")
    with at("2026-03-27", 9):
        ladder.escalate(f7.case, c.users.office, "无故缺席警示约谈", to_stage=Stage.enforcement)

    report(c, f3, "2026-04-03")  # two days after its 04-01 deadline
    approve(c.users.emergency, f3, "2026-04-03")
    close(c, f3, "2026-04-03")
    report(c, f2b, "2026-04-04")
    approve(c.users.market, f2b, "2026-04-04")
    close(c, f2b, "2026-04-05")
    report(c, f1, "2026-04-08")  # reported before the 04-10 deadline …
    approve(c.users.fire, f1, "2026-04-09")
    close(c, f1, "2026-04-15")  # … closed out after it

    reinspect(c, diner, [(f4, False)], "2026-04-20", kind=InspectionKind.follow_up)
    enforce(c, f4.case, ActionKind.joint_enforcement, "2026-04-25")
    enforce(c, f4.case, ActionKind.fine, "2026-04-26", amount="2000")
    enforce(c, f4.case, ActionKind.suspend, "2026-04-27")

    f9 = found(c, school, "XF-02", "2026-05-04")
    found(c, factory, "XF-02", "2026-05-10")  # another hazard type inside the factory's window
    enforce(c, f5.case, ActionKind.shutdown, "2026-05-10")
    reinspect(c, school, [(f9, True)], "2026-05-11")
    enforce(c, f6.case, ActionKind.joint_enforcement, "2026-05-12")
    enforce(c, f6.case, ActionKind.ban, "2026-05-12")
    publish_exposure(c, database, "2026年第1期平安曝光", "2026-05-15", [(shop, [f1]), (diner, [f4])])
    publish_exposure(c, database, "待审曝光", "2026-05-16", [(kiosk, [f7])], draft=True)
    found(c, market, "XF-01", "2026-05-20")  # the market's reminder-stage type, inside its window

    f8 = found(c, mill, "YD-01", "2026-06-01")
    found(c, factory, "YD-01", "2026-06-04")  # one day after the factory's window
    reinspect(c, mill, [(f8, False)], "2026-06-08")
    found(c, shop, "XF-01", "2026-06-15")  # exactly two months after the shop's close-out

    round3 = interview_round(c, "2026-07-02", [(f8.case, True)], 8)
    publish_exposure(c, database, "2026年第2期平安曝光", "2026-07-05", [(factory, [f3])])
    database.session.commit()
    return SimpleNamespace(county=c, units=SimpleNamespace(shop=shop, market=market, factory=factory, diner=diner,
                                                            depot=depot, hostel=hostel, kiosk=kiosk, school=school,
                                                            mill=mill),
                           findings=SimpleNamespace(f1=f1, f2a=f2a, f2b=f2b, f3=f3, f4=f4, f5=f5, f6=f6, f7=f7, f8=f8,
                                                    f9=f9),
                           rounds=(round1, round2, round3))
