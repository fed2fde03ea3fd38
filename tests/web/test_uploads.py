"""Photo uploads: validated by content, size-limited, stored under their SHA-256 with a thumbnail, served
only to those who may see them (the case of their finding; an unattached photo: its uploader)."""

import hashlib
import os
import struct
import zlib
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, InspectionKind, Photo
from inspect_loop.inspections.operations import NewFinding, record_inspection, report_rectification
from inspect_loop.web.uploads import MAX_BYTES, STORED_SIDE, photo_path


def image_bytes(width: int = 400, height: int = 300, kind: str = "JPEG", **save) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(out, kind, **save)
    return out.getvalue()


def jpeg_bytes(width: int = 400, height: int = 300) -> bytes:
    return image_bytes(width, height)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (a decompression bomb's calling card)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
            + chunk(b"IEND", b""))


def upload(client, data: bytes, filename: str = "photo.jpg"):
    return client.post("/photos", data={"photo": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def photo_count() -> int:
    return db.session.scalar(select(func.count(Photo.id)))


def test_a_photo_is_stored_under_its_sha256_with_a_thumbnail(login):
    client = login("inspector")
    response = upload(client, jpeg_bytes())
    assert response.status_code == 201
    body = response.get_json()
    photo = db.session.get(Photo, body["id"])
    stored = photo_path(photo).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    assert photo_path(photo).name == f"{photo.sha256}.jpg"
    thumbnail = Image.open(photo_path(photo, thumbnail=True))
    assert max(thumbnail.size) == 320
    assert (photo.width, photo.height, photo.content_type) == (400, 300, "image/jpeg")
    assert client.get(body["thumbnail_url"]).status_code == 200
    full = client.get(body["url"])
    assert full.status_code == 200 and full.data == stored
    assert full.headers["Cache-Control"] == "no-store"


def test_a_photo_sent_without_downscaling_is_downscaled_and_loses_its_metadata(login):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: personal device data that must not survive
    client = login("inspector")
    response = upload(client, image_bytes(3200, 2400, exif=exif.tobytes()))
    assert response.status_code == 201
    photo = db.session.get(Photo, response.get_json()["id"])
    stored = Image.open(photo_path(photo))
    assert max(stored.size) == STORED_SIDE
    assert not stored.getexif()


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.4 not a photo at all", "photo.jpg", "不是有效的图片"),
    (b"", "photo.jpg", "为空"),
    (image_bytes(kind="GIF"), "photo.gif", "JPEG、PNG 或 WebP"),
    (png_claiming(100_000, 100_000), "bomb.png", "照片尺寸不能超过"),
    (png_claiming(9_000, 10), "wide.png", "照片尺寸不能超过"),
    (jpeg_bytes()[:400], "cut.jpg", "损坏或不完整"),
])
def test_bad_uploads_are_refused_with_a_chinese_message_and_store_nothing(login, data, filename, message):
    client = login("inspector")
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert photo_count() == 0


def test_a_photo_over_the_size_limit_is_refused(login, app):
    client = login("inspector")
    response = upload(client, b"\xff\xd8\xff" + b"\0" * MAX_BYTES)
    assert response.status_code == 400
    assert "12MB" in response.get_json()["error"]
    assert photo_count() == 0


def test_a_request_over_max_content_length_answers_413_in_json(login, app):
    client = login("inspector")
    response = upload(client, b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert "太大" in response.get_json()["error"]


def test_roles_that_record_nothing_may_not_upload(login):
    assert upload(login("viewer"), jpeg_bytes()).status_code == 403


def test_an_unattached_photo_is_visible_only_to_its_uploader(login):
    body = upload(login("inspector"), jpeg_bytes()).get_json()
    assert login("inspector").get(body["url"]).status_code == 200
    assert login("inspector2").get(body["url"]).status_code == 403
    assert login("office").get(body["thumbnail_url"]).status_code == 403


def test_a_finding_photo_is_attached_by_the_inspection_form(login, county):
    client = login("inspector")
    photo_id = upload(client, jpeg_bytes()).get_json()["id"]
    hazard = county.hazards["XF-01"]
    response = client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "hazard": str(hazard.id), f"photos_{hazard.id}": str(photo_id)})
    assert response.status_code == 302
    assert db.session.get(Finding, db.session.get(Photo, photo_id).finding_id).hazard_type == hazard
    assert login("east").get(f"/photos/{photo_id}").status_code == 200


# Who sees the photos of a fire finding (XF-01) in the shop of 兰江街道 (east), and of its rectification report:
# whoever may see its case. The food regulator (market) and the one for production and electricity
# (emergency) answer for no finding of that case, and 马涧镇 (west) is another township.
FIRE_CASE_READERS = {"root": True, "office": True, "east": True, "west": False, "inspector": True,
                     "inspector2": True, "fire": True, "market": False, "emergency": False, "viewer": True}


def attached_photos(login, county) -> dict[str, int]:
    """A finding photo and a rectification photo of the fire finding, stored through POST /photos."""
    finding_photo = db.session.get(Photo, upload(login("inspector"), jpeg_bytes()).get_json()["id"])
    report_photo = db.session.get(Photo, upload(login("east"), image_bytes(401, 300)).get_json()["id"])
    finding = record_inspection(county.users.inspector, county.units.shop, InspectionKind.unannounced, findings=[
        NewFinding(county.hazards["XF-01"], description="应急灯不亮", photos=(finding_photo,))]).findings[0]
    report_rectification(county.users.east, finding, "已更换应急灯", photos=(report_photo,))
    db.session.commit()
    return {"finding": finding_photo.id, "report": report_photo.id}


@pytest.mark.parametrize("username", sorted(FIRE_CASE_READERS))
def test_a_photo_is_seen_by_exactly_those_who_may_see_its_finding_s_case(login, county, username):
    photos = attached_photos(login, county)
    expected = 200 if FIRE_CASE_READERS[username] else 403
    client = login(username)
    for photo_id in photos.values():
        assert client.get(f"/photos/{photo_id}").status_code == expected
        assert client.get(f"/photos/{photo_id}/thumb").status_code == expected
    assert client.get(f"/photos/{max(photos.values()) + 1}").status_code == 404  # unknown, for everyone


def test_a_photo_id_cannot_be_attached_twice_or_by_someone_else(login, county):
    photo_id = upload(login("inspector"), jpeg_bytes()).get_json()["id"]
    hazard = county.hazards["XF-01"]
    form = {"kind": "unannounced", "hazard": str(hazard.id), f"photos_{hazard.id}": str(photo_id)}
    refused = login("inspector2").post(f"/units/{county.units.shop.id}/inspect", data=form)
    assert refused.status_code == 400
    assert "照片无效或已被使用" in refused.get_data(as_text=True)
    client = login("inspector")
    assert client.post(f"/units/{county.units.shop.id}/inspect", data=form).status_code == 302
    again = client.post(f"/units/{county.units.market.id}/inspect", data=form)
    assert again.status_code == 400


def test_the_same_bytes_twice_share_one_file(login):
    client = login("inspector")
    first = db.session.get(Photo, upload(client, jpeg_bytes()).get_json()["id"])
    second = db.session.get(Photo, upload(client, jpeg_bytes()).get_json()["id"])
    assert first.sha256 == second.sha256 and first.id != second.id
    assert photo_path(first) == photo_path(second)
    assert Path(photo_path(first)).exists()


def test_photos_never_attached_are_pruned_after_a_week_and_their_files_only_when_unused(login, app, county):
    from tests.factories import inspect
    from tests.helpers import at

    with at("2026-03-02"):
        client = login("inspector")
        given_up = db.session.get(Photo, upload(client, image_bytes(401, 300)).get_json()["id"])
        shared_given_up = db.session.get(Photo, upload(client, image_bytes(402, 300)).get_json()["id"])
        shared_attached = db.session.get(Photo, upload(client, image_bytes(402, 300)).get_json()["id"])
        finding = inspect(county, county.units.shop, "YD-01").findings[0]
        shared_attached.finding_id = finding.id
        db.session.commit()
    with at("2026-03-06"):
        recent = db.session.get(Photo, upload(login("inspector"), image_bytes(403, 300)).get_json()["id"])
    given_up_files = [photo_path(given_up), photo_path(given_up, thumbnail=True)]
    shared_files = [photo_path(shared_attached), photo_path(shared_attached, thumbnail=True)]
    ids = {"given_up": given_up.id, "shared_given_up": shared_given_up.id,
           "shared_attached": shared_attached.id, "recent": recent.id}

    # Files a refused form stored while its rows were rolled back: an old pair goes, a recent one stays.
    folder = Path(app.config["UPLOAD_FOLDER"]) / "ee"
    folder.mkdir(parents=True, exist_ok=True)
    old_orphans = [folder / f"{'e' * 64}.jpg", folder / f"{'e' * 64}.thumb.jpg"]
    recent_orphan = folder / f"ee{'f' * 62}.jpg"
    for path, day in ((old_orphans[0], 1), (old_orphans[1], 1), (recent_orphan, 9)):
        path.write_bytes(b"jpeg")
        moment = datetime(2026, 3, day, tzinfo=UTC).timestamp()
        os.utime(path, (moment, moment))

    runner = app.test_cli_runner()
    with at("2026-03-10"):
        refused = runner.invoke(args=["photos", "prune", "--days", "0"])
        assert refused.exit_code != 0 and "保留天数" in refused.output
        assert photo_count() == 4

        result = runner.invoke(args=["photos", "prune"])
    assert result.exit_code == 0, result.output
    assert "已删除 2 张" in result.output
    db.session.expire_all()
    remaining = set(db.session.scalars(select(Photo.id)))
    assert remaining == {ids["shared_attached"], ids["recent"]}
    assert not any(path.exists() for path in given_up_files)
    assert all(path.exists() for path in shared_files)  # the same bytes are still a finding's photo
    assert photo_path(recent).exists()
    assert not any(path.exists() for path in old_orphans) and recent_orphan.exists()

    with at("2026-03-10"):
        again = runner.invoke(args=["photos", "prune"])
    assert again.exit_code == 0 and "已删除 0 张" in again.output
