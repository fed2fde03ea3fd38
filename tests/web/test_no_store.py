"""``Cache-Control: no-store`` on every response but the static assets: pages, exports, notices' PDFs, photos,
API answers and errors carry personal or case data, and no browser or proxy cache may keep them."""

import pytest
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document
from inspect_loop.users.operations import issue_api_token
from tests.factories import inspect
from tests.helpers import at
from tests.web.test_uploads import jpeg_bytes, upload


@pytest.fixture
def reminder(county) -> Document:
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    db.session.commit()
    return db.session.scalar(select(Document).where(Document.case_id == case.id))


def test_every_response_carrying_data_says_no_store(login, anonymous, county, reminder):
    office, inspector = login("office"), login("inspector")
    photo = upload(inspector, jpeg_bytes())
    token = issue_api_token(county.users.office)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    responses = {
        "a page": office.get(f"/units/{county.units.shop.id}"),
        "a list export": office.get("/units.xlsx"),
        "a statistics workbook": office.get("/ranking.xlsx"),
        "a notice's PDF": office.get(f"/documents/{reminder.id}.pdf"),
        "a photo upload": photo,
        "a photo": inspector.get(photo.get_json()["url"]),
        "a thumbnail": inspector.get(photo.get_json()["thumbnail_url"]),
        "a redirect": office.post("/logout"),
        "an API answer": anonymous.get("/api/v1/cases", headers=bearer),
        "an API PDF": anonymous.get(f"/api/v1/documents/{reminder.id}/pdf", headers=bearer),
        "an API workbook": anonymous.get("/api/v1/stats/summary?format=xlsx", headers=bearer),
        "an API refusal": anonymous.get("/api/v1/cases"),
        "the public verification": anonymous.get(issuing.verify_url(reminder).split("pingan.example.gov.cn")[1]),
        "the public verification API": anonymous.get(
            "/api/v1/verify/" + issuing.verify_url(reminder).rsplit("/", 1)[1]),
        "an unknown page": anonymous.get("/no-such-page"),
    }
    for what, response in responses.items():
        assert response.status_code < 500, what
        assert response.headers.get("Cache-Control") == "no-store", what


def test_the_static_assets_stay_cacheable(anonymous):
    for path in ("/static/css/app.css", "/static/js/photos.js"):
        response = anonymous.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        assert response.headers.get("ETag") or response.headers.get("Last-Modified"), path
