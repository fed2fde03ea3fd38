"""The 重点监管名单: the list, the county office's exit decision, the county's rules for a unit's history."""

from sqlalchemy import select

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import unit_by_id_out, watch_list_out
from inspect_loop.db import db
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action
from inspect_loop.watch_list.operations import decide_exit, set_history_rules
from inspect_loop.watch_list.queries import listed_units


@route("GET", "/watch-list", summary="重点监管名单（在名单上的单位及列入原因）", permission=Action.view_cases,
       query=inp.WatchListQuery, response=out.WatchListPageOut)
def get_watch_list(actor, query: inp.WatchListQuery):
    condition = scope.unit_condition(actor)
    if query.region:
        region = lookups.filter_region(query.region)
        column = Unit.county_id if region.level == RegionLevel.county else Unit.township_id
        condition = condition & (column == region.id)
    listed = listed_units(condition)
    townships = dict(db.session.execute(select(Region.id, Region.name).where(
        Region.id.in_({item.unit.township_id for item in listed}))).all()) if listed else {}
    items = [out.WatchListedUnitOut(unit_id=item.unit.id, unit_name=item.unit.name,
                                    township=townships[item.unit.township_id], status=item.unit.status,
                                    watch_list=watch_list_out(item.unit, item.entries)) for item in listed]
    return out.WatchListPageOut(total=len(items), items=items)


@route("POST", "/units/<int:unit_id>/watch-list/exit", summary="决定移出重点监管名单（须满无新案件期限）",
       permission=Action.decide_watch_list_exit, body=inp.WatchListExitIn, response=out.UnitOut)
def post_watch_list_exit(actor, unit_id: int, body: inp.WatchListExitIn):
    unit = lookups.get_or_404(Unit, unit_id, "unit_id")
    scope.require_unit(actor, unit)
    decide_exit(actor, unit, body.note)
    return unit_by_id_out(unit.id)


def rules_out(region: Region) -> out.HistoryRulesOut:
    return out.HistoryRulesOut(region_code=region.code, region=region.name,
                               recurrence_opens_at_warning=region.recurrence_opens_at_warning,
                               watch_list_clean_months=region.watch_list_clean_months)


@route("GET", "/regions/<code>/history-rules", summary="复发提级和重点监管名单规则", permission=Action.view_cases,
       response=out.HistoryRulesOut)
def get_history_rules(actor, code: str):
    return rules_out(lookups.region(code, "code"))


@route("PUT", "/regions/<code>/history-rules", summary="设置复发提级和重点监管名单规则（县级平安办）",
       permission=Action.configure_history_rules, body=inp.HistoryRulesIn, response=out.HistoryRulesOut)
def put_history_rules(actor, code: str, body: inp.HistoryRulesIn):
    return rules_out(set_history_rules(actor, lookups.region(code, "code"),
                                       recurrence_opens_at_warning=body.recurrence_opens_at_warning,
                                       watch_list_clean_months=body.watch_list_clean_months))
