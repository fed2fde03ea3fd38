"""A rectification report sent through the API may carry only its sender's own uploaded photos."""

from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.db import db
from inspect_loop.inspections.models import Photo, Rectification
from tests.api.client import ok, refused
from tests.factories import inspect
from tests.helpers import at


def uploaded_by(user) -> Photo:
    """A photo row as ``POST /photos`` leaves it: stored, not yet attached (the file is not needed here)."""
    photo = Photo(sha256=f"{user.id:064x}", content_type="image/jpeg", size=1, width=1, height=1,
                  uploaded_at=clock.now(), uploaded_by_id=user.id)
    db.session.add(photo)
    db.session.flush()
    return photo


def test_a_report_attaches_its_senders_photos_and_refuses_anyone_elses(api, county, database):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "YD-01").findings[0]
        own, foreign = uploaded_by(county.users.east), uploaded_by(county.users.inspector)
        database.session.commit()
    path = f"/findings/{finding.id}/rectification"

    error = refused(api.post(path, "east", json={"note": "已整改", "photos": [own.id, foreign.id]},
                             day="2026-03-05"), 404, field="photos.1")
    assert error["message"] == f"照片 {foreign.id} 不存在"
    database.session.expire_all()
    assert database.session.scalar(select(func.count(Rectification.id))) == 0
    assert database.session.get(Photo, own.id).rectification_id is None

    report = ok(api.post(path, "east", json={"note": "已整改", "photos": [own.id]}, day="2026-03-05"), 201)
    assert report["photo_ids"] == [own.id]
    database.session.expire_all()
    assert database.session.get(Photo, foreign.id).rectification_id is None
