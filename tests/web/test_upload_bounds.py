"""A photo upload's work is bounded: a decompression bomb is refused from its header, quickly and without
decoding its pixels; each user may upload only so many photos a minute and keep only so many unsubmitted."""

import json
import struct
import subprocess
import sys
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from inspect_loop import PROJECT_ROOT, clock
from inspect_loop.db import db
from inspect_loop.inspections.models import Photo
from inspect_loop.web.uploads import MAX_PENDING_PHOTOS
from tests.factories import PASSWORD, inspect
from tests.web.test_uploads import image_bytes, jpeg_bytes, photo_count, png_claiming, upload


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_colour_png(width: int, height: int) -> bytes:
    """A valid PNG of ``width``×``height`` grey pixels, compressed row by row so the test never holds the
    image: 7999×7999 is about 200 KB, the decompression bomb of the report (it took 1 GB to store)."""
    compressor = zlib.compressobj(9)
    row = b"\0" + b"\x80" * (width * 3)  # filter "none", then RGB
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def progressive_jpeg_claiming(width: int, height: int) -> bytes:
    """A small progressive JPEG whose frame header (SOF2) claims ``width``×``height``."""
    data = bytearray(image_bytes(64, 48, progressive=True))
    frame = data.index(b"\xff\xc2")
    data[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# Decoding runs in a fresh interpreter, whose peak resident memory tells what the decoding itself cost.
MEASURE = """
import json, resource, sys, time
from inspect_loop.errors import InvalidInput
from inspect_loop.web.uploads import decode_photo

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux

data = sys.stdin.buffer.read()
before, started = peak_mb(), time.perf_counter()
try:
    decode_photo(data)
    outcome = "decoded"
except InvalidInput as refusal:
    outcome = refusal.message_zh
print(json.dumps({"seconds": time.perf_counter() - started, "peak_growth_mb": peak_mb() - before,
                  "outcome": outcome}))
"""


def decoding_cost(data: bytes) -> dict:
    finished = subprocess.run([sys.executable, "-c", MEASURE], input=data, capture_output=True, cwd=PROJECT_ROOT,
                              check=True, timeout=120)
    return json.loads(finished.stdout)


def test_a_200_kb_png_of_7999_by_7999_pixels_is_refused_from_its_header_without_decoding_it():
    bomb = one_colour_png(7999, 7999)
    assert len(bomb) < 250_000
    cost = decoding_cost(bomb)
    assert cost["outcome"] == "PNG格式的照片不能超过1200万像素，请缩小后或存为普通 JPEG 再上传"
    assert cost["seconds"] < 0.5
    assert cost["peak_growth_mb"] < 20  # decoding it took 1 GB


def test_a_photo_just_within_the_limits_is_decoded_with_bounded_memory():
    cost = decoding_cost(one_colour_png(4000, 3000))
    assert cost["outcome"] == "decoded"
    assert cost["peak_growth_mb"] < 100


@pytest.mark.parametrize(("bomb", "message"), [
    (lambda: one_colour_png(7999, 7999), "PNG格式的照片不能超过1200万像素"),
    (lambda: png_claiming(7999, 7999), "PNG格式的照片不能超过1200万像素"),
    (lambda: progressive_jpeg_claiming(7000, 7000), "渐进式 JPEG格式的照片不能超过1200万像素"),
], ids=["valid png", "png header only", "progressive jpeg header"])
def test_a_decompression_bomb_is_refused_with_a_chinese_message_and_nothing_is_stored(login, app, bomb, message):
    files_before = set(Path(app.config["UPLOAD_FOLDER"]).rglob("*"))
    response = upload(login("inspector"), bomb(), "bomb.png")
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert photo_count() == 0
    assert set(Path(app.config["UPLOAD_FOLDER"]).rglob("*")) == files_before


def pending_photos(user, count: int, age: timedelta = timedelta(0)) -> list[Photo]:
    """Photo rows as ``POST /photos`` leaves them: stored, not yet attached (their files are not needed)."""
    photos = [Photo(sha256=f"{number:064x}", content_type="image/jpeg", size=1, width=1, height=1,
                    uploaded_at=clock.now() - age, uploaded_by_id=user.id) for number in range(count)]
    db.session.add_all(photos)
    db.session.commit()
    return photos


def test_a_user_keeps_at_most_100_photos_uploaded_within_a_day_and_not_submitted(login, county):
    pending_photos(county.users.inspector, 5, age=timedelta(days=1, minutes=1))  # older: not counted
    waiting = pending_photos(county.users.inspector, MAX_PENDING_PHOTOS)
    client = login("inspector")
    refused = upload(client, jpeg_bytes())
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "24小时内上传而未提交的照片已达100张，请先提交正在填写的表单"
    assert photo_count() == MAX_PENDING_PHOTOS + 5

    assert upload(login("inspector2"), jpeg_bytes()).status_code == 201  # the limit is per user
    waiting[0].finding_id = inspect(county, county.units.shop, "XF-01").findings[0].id  # one submitted
    db.session.commit()
    assert upload(client, jpeg_bytes()).status_code == 201


def test_uploads_are_rate_limited_per_user_with_retry_after(limited_app, county):
    def logged_in(username: str):
        client = limited_app.test_client()
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
        return client

    inspector = logged_in("inspector")
    for _ in range(30):
        assert upload(inspector, jpeg_bytes()).status_code == 201
    refused = upload(inspector, jpeg_bytes())
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith("尝试次数过多")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Per user: a colleague behind the same address uploads on.
    assert upload(logged_in("inspector2"), jpeg_bytes()).status_code == 201
