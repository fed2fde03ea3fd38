"""即查即改 on the inspector's form: ticked with a photo of the result, the finding is closed on the spot; the unit
page lists it as 即查即改; without a photo the form comes back with what was entered."""

from io import BytesIO

from sqlalchemy import func, select

from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.inspections.models import CloseKind, Finding, Inspection
from tests.web.test_uploads import jpeg_bytes, upload


def test_a_problem_put_right_on_the_spot_is_closed_with_its_photo(login, county):
    client = login("inspector")
    fire, food = county.hazards["XF-01"], county.hazards["SP-01"]
    after = upload(client, jpeg_bytes()).get_json()["id"]
    form = client.get(f"/units/{county.units.market.id}/inspect").get_data(as_text=True)
    assert f'name="on_the_spot_{fire.id}"' in form and f'name="on_the_spot_{county.hazards["SC-01"].id}"' not in form
    response = client.post(f"/units/{county.units.market.id}/inspect", data={
        "kind": "unannounced", "hazard": [str(fire.id), str(food.id)], f"on_the_spot_{fire.id}": "1",
        f"spot_note_{fire.id}": "当场接通应急照明灯电源", f"photos_spot_{fire.id}": str(after)},
        content_type="multipart/form-data")
    assert response.status_code == 302
    fixed = db.session.scalar(select(Finding).where(Finding.hazard_type_id == fire.id))
    assert fixed.close_kind == CloseKind.on_the_spot and [p.id for p in fixed.rectifications[0].photos] == [after]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "发现 1 个问题，整改提醒通知书已签发" in page and "1 个问题即查即改，已当场销号" in page
    assert "即查即改" in page and "当场接通应急照明灯电源" in page


def test_on_the_spot_alone_opens_no_case(login, county):
    client = login("inspector")
    fire = county.hazards["XF-01"]
    response = client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "hazard": str(fire.id), f"on_the_spot_{fire.id}": "1",
        f"photo_files_spot_{fire.id}": (BytesIO(jpeg_bytes()), "after.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Case.id))) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "整改提醒通知书已签发" not in page and "1 个问题即查即改" in page
    photo_id = db.session.scalar(select(Finding)).rectifications[0].photos[0].id
    # Seen by whoever sees the unit, though it has no case.
    assert login("east").get(f"/photos/{photo_id}").status_code == 200
    assert login("west").get(f"/photos/{photo_id}").status_code == 403


def test_on_the_spot_without_a_photo_keeps_the_form(login, county):
    client = login("inspector")
    fire = county.hazards["XF-01"]
    response = client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "hazard": str(fire.id), f"on_the_spot_{fire.id}": "1",
        f"spot_note_{fire.id}": "已整改"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "即查即改须附整改后的照片" in page and "已整改" in page
    assert db.session.scalar(select(func.count(Inspection.id))) == 0
