"""Photos: validated by their content (Pillow), re-encoded without metadata, stored under their SHA-256.

``store_photo`` is the one way a photo enters the system (the inspection form uploads each photo first and
then submits the returned ids; rectification reports can do the same). Each upload is bounded: dimensions
are checked from the header before decoding, a JPEG is decoded at a reduced scale, and a user may upload
only so many photos a minute and keep only so many unsubmitted. A photo is served to a logged-in user who
may see the case of its finding, as the finding itself is scoped; an unattached photo only to its uploader.
"""

import hashlib
import warnings
from datetime import UTC, timedelta
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, jsonify, request, send_file, url_for
from flask_login import current_user, login_required
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func, select

from inspect_loop import clock
from inspect_loop.api.scope import can_see_case, can_see_document, can_see_unit
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.extensions import limiter
from inspect_loop.inspections.models import Finding, Photo, Rectification
from inspect_loop.interviews.models import Summons
from inspect_loop.letters.models import DocumentService
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.helpers import domain_message, form_ids

MAX_BYTES = 12 * 1024 * 1024
MAX_SIDE = 8000
# Phones downscale to this before uploading (static/js/photos.js); the server keeps no larger photo either.
STORED_SIDE = 1600
THUMBNAIL_SIDE = 320
# A baseline JPEG is decoded at 1/2, 1/4 or 1/8 scale (``draft``): an 8000×6000 one peaks at about 30 MB.
# PNG, WebP and progressive JPEG are decoded whole before the photo shrinks (libjpeg keeps every coefficient
# of a progressive one), so each has a pixel limit for a peak near 100 MB per upload. Measured on Pillow 12:
# 4000×3000 PNG with alpha 117 MB, progressive JPEG 47 MB; WebP's decoder copies its buffer twice, so
# 3000×2000 already takes 94 MB. (A 248 KB 7999×7999 PNG took 1 GB.)
MAX_WHOLE_DECODE_PIXELS = {"PNG": 4000 * 3000, "JPEG": 4000 * 3000, "WEBP": 3000 * 2000}
WHOLE_DECODE_LABELS = {"PNG": ("PNG", "PNG"), "JPEG": ("渐进式 JPEG", "progressive JPEG"), "WEBP": ("WebP", "WebP")}
# Per user, not per address (an office's staff share its gateway's address): the photo page uploads each
# picked photo at once, a few per finding, so this only stops a script.
PHOTO_UPLOAD_RATE_LIMIT = "30/minute;300/hour"
# Photos uploaded and not yet submitted with a form, per user within a day: a day's inspections need a few
# dozen; more would be a script filling the disk until ``flask photos prune`` removes them a week later.
MAX_PENDING_PHOTOS = 100
PENDING_WINDOW = timedelta(days=1)
# Pillow format → (content type, file extension)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def _refuse(message_zh: str, message_en: str):
    raise InvalidInput(message_zh, message_en, field="photo")


def _read_limited(file_storage) -> bytes:
    data = file_storage.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _refuse("照片超过12MB，请压缩后再上传", "The photo is larger than 12 MB: make it smaller and upload it again.")
    if not data:
        _refuse("照片文件为空", "The photo file is empty.")
    return data


def decode_photo(data: bytes) -> tuple[Image.Image, str]:
    """The image, already shrunk to the stored size, and its format, or a refusal. The dimensions are checked
    from the header before any pixel is decoded, and a JPEG is decoded at a reduced scale."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(BytesIO(data))
            kind = probe.format
            if kind not in FORMATS:
                _refuse("只接受 JPEG、PNG 或 WebP 格式的照片", "Only JPEG, PNG or WebP photos are accepted.")
            _check_dimensions(probe)
            probe.verify()
            image = Image.open(BytesIO(data))  # verify() leaves the image unusable: open it again to decode
            image.draft("RGB", _stored_size(*image.size))  # JPEG only: the smallest scale still as large as stored
            image.load()
            # Shrunk before anything copies it (orientation, conversion): one full-size image at a time.
            image.thumbnail((STORED_SIDE, STORED_SIDE))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _too_large()
        except UnidentifiedImageError:
            _refuse("文件不是有效的图片", "The file is not a valid image.")
        except (OSError, SyntaxError, ValueError, EOFError):
            _refuse("图片文件已损坏或不完整", "The image file is damaged or incomplete.")
    return image, kind


def _check_dimensions(probe: Image.Image) -> None:
    width, height = probe.size
    if width > MAX_SIDE or height > MAX_SIDE or width < 1 or height < 1:
        _too_large()
    kind = probe.format
    decoded_whole = kind != "JPEG" or probe.info.get("progressive")
    if decoded_whole and width * height > MAX_WHOLE_DECODE_PIXELS[kind]:
        most, (label_zh, label_en) = MAX_WHOLE_DECODE_PIXELS[kind], WHOLE_DECODE_LABELS[kind]
        _refuse(f"{label_zh}格式的照片不能超过{most // 10_000}万像素，请缩小后或存为普通 JPEG 再上传",
                f"A {label_en} photo may have at most {most:,} pixels: make it smaller or save it as an ordinary "
                "JPEG and upload it again.")


def _stored_size(width: int, height: int) -> tuple[int, int]:
    """The size a photo of ``width``×``height`` is stored at: at most ``STORED_SIDE`` on its longer side."""
    scale = min(1, STORED_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _too_large():
    _refuse(f"照片尺寸不能超过{MAX_SIDE}×{MAX_SIDE}像素", f"The photo may be at most {MAX_SIDE}×{MAX_SIDE} pixels.")


def _encode(image: Image.Image, kind: str) -> bytes:
    """Re-encoding drops EXIF (GPS, device) and anything appended to the file; orientation is applied
    (to the image already shrunk by ``decode_photo``: its box is square, so turning it keeps it inside)."""
    image = ImageOps.exif_transpose(image)
    out = BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.convert("RGB")
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def photo_path(photo: Photo, thumbnail: bool = False) -> Path:
    extension = "thumb.jpg" if thumbnail else FORMATS[_format_of(photo)][1]
    return Path(current_app.config["UPLOAD_FOLDER"]) / photo.sha256[:2] / f"{photo.sha256}.{extension}"


def _format_of(photo: Photo) -> str:
    return next(kind for kind, (content_type, _) in FORMATS.items() if content_type == photo.content_type)


def store_photo(file_storage, actor: User) -> Photo:
    """Validate, re-encode and store an uploaded photo with a thumbnail; add its ``Photo`` row (flushed)."""
    _check_pending(actor)
    data = _read_limited(file_storage)
    image, kind = decode_photo(data)
    encoded = _encode(image, kind)
    digest = hashlib.sha256(encoded).hexdigest()
    stored = Image.open(BytesIO(encoded))
    photo = Photo(sha256=digest, content_type=FORMATS[kind][0], size=len(encoded), width=stored.width,
                  height=stored.height, uploaded_at=clock.now(), uploaded_by_id=actor.id)
    original, thumbnail = photo_path(photo), photo_path(photo, thumbnail=True)
    original.parent.mkdir(parents=True, exist_ok=True)
    # The same bytes always land in the same file, so an existing file is already the right one.
    if not original.exists():
        original.write_bytes(encoded)
    if not thumbnail.exists():
        thumbnail.write_bytes(_thumbnail(stored))
    db.session.add(photo)
    db.session.flush()
    return photo


# A photo attached to nothing: uploaded for a form not (yet) submitted.
UNATTACHED = Photo.unattached()


def _check_pending(actor: User) -> None:
    pending = db.session.scalar(select(func.count(Photo.id)).where(
        Photo.uploaded_by_id == actor.id, *UNATTACHED, Photo.uploaded_at >= clock.now() - PENDING_WINDOW))
    if pending >= MAX_PENDING_PHOTOS:
        _refuse(f"24小时内上传而未提交的照片已达{MAX_PENDING_PHOTOS}张，请先提交正在填写的表单",
                f"You uploaded {MAX_PENDING_PHOTOS} photos within 24 hours that no submitted form uses yet: "
                "submit the forms you are filling in first.")


def prune_unattached_photos(keep_days: int) -> tuple[int, list[Path]]:
    """Delete the photos uploaded more than ``keep_days`` ago and never attached to a finding or report (a
    form given up after its photos were uploaded). Returns how many were deleted and the files no remaining
    photo uses, for the caller to delete once the deletion is committed: if the commit fails, no photo has
    lost its file."""
    if keep_days < 1:
        raise InvalidInput("保留天数至少为1天", "Keep the photos for at least one day.", field="days")
    stale = list(db.session.scalars(select(Photo).where(
        *UNATTACHED, Photo.uploaded_at < clock.now() - timedelta(days=keep_days))))
    if not stale:
        return 0, _files_without_photo(keep_days)
    digests = {photo.sha256 for photo in stale}
    # Still unattached at the moment of deletion: a form submitted meanwhile keeps its photo.
    db.session.execute(delete(Photo).where(Photo.id.in_([photo.id for photo in stale]), *UNATTACHED))
    still_used = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(digests))))
    orphaned = [photo for photo in {photo.sha256: photo for photo in stale}.values()
                if photo.sha256 not in still_used]
    files = [path for photo in orphaned for path in (photo_path(photo), photo_path(photo, thumbnail=True))]
    return len(stale), list(dict.fromkeys([*files, *_files_without_photo(keep_days)]))


def _files_without_photo(keep_days: int) -> list[Path]:
    """Files older than ``keep_days`` that no photo names: a form posted with its files (no JavaScript) and
    then refused stores the files, but its rows are rolled back."""
    cutoff = (clock.now() - timedelta(days=keep_days)).replace(tzinfo=UTC).timestamp()
    by_digest: dict[str, list[Path]] = {}
    for path in Path(current_app.config["UPLOAD_FOLDER"]).glob("??/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            by_digest.setdefault(path.name.split(".", 1)[0], []).append(path)
    digests = list(by_digest)
    named = set()
    for start in range(0, len(digests), 500):
        named.update(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(digests[start:start + 500]))))
    return [path for digest, paths in by_digest.items() if digest not in named for path in paths]


def may_upload(user: User) -> bool:
    return any(allowed(user, action) for action in
               (Action.record_inspection, Action.report_rectification, Action.serve_document,
                Action.record_attendance))


def unattached_photos(ids: list[int], actor: User) -> list[Photo]:
    """The actor's own uploaded photos not yet attached to anything; unknown or foreign ids are refused."""
    if not ids:
        return []
    photos = list(db.session.scalars(select(Photo).where(
        Photo.id.in_(ids), Photo.uploaded_by_id == actor.id, *UNATTACHED)))
    if len(photos) != len(set(ids)):
        raise InvalidInput("照片无效或已被使用，请重新上传", "A photo is invalid or already used: upload it again.", field="photos")
    by_id = {photo.id: photo for photo in photos}
    return [by_id[photo_id] for photo_id in dict.fromkeys(ids)]


def posted_photos(ids_field: str, files_field: str, actor: User) -> list[Photo]:
    """A form's photos: the ids of photos uploaded beforehand (``static/js/photos.js``), then any files posted
    with the form itself (the same form without JavaScript), each validated and stored here."""
    photos = unattached_photos(form_ids(ids_field), actor)
    for file_storage in request.files.getlist(files_field):
        if file_storage.filename:
            photos.append(store_photo(file_storage, actor))
    return photos


def _finding_of(photo: Photo) -> Finding | None:
    if photo.finding_id is not None:
        return db.session.get(Finding, photo.finding_id)
    if photo.rectification_id is not None:
        return db.session.get(Rectification, photo.rectification_id).finding
    return None


def _case_of(photo: Photo) -> Case | None:
    if (finding := _finding_of(photo)) is not None:
        return finding.case
    if photo.extension_id is not None:
        return db.session.get(ExtensionRequest, photo.extension_id).case
    if photo.summons_id is not None:
        return db.session.get(Summons, photo.summons_id).case
    return None


def may_see_photo(user: User, photo: Photo) -> bool:
    """A photo of a finding, of its rectification report, of an extension request or of a unit's signed pledge
    (its summons) is seen by whoever may see the case (a regulator: only cases with a finding of its sectors, as on every page and in the API); a photo
    of a signed 送达回证 by whoever may see its notice."""
    if photo.service_id is not None:
        service = db.session.get(DocumentService, photo.service_id)
        return can_see_document(user, service.document)
    case = _case_of(photo)
    if case is None and (finding := _finding_of(photo)) is not None:
        return can_see_unit(user, finding.unit)  # 即查即改 at a unit without an open case: no case to ask
    if case is None:
        return photo.uploaded_by_id == user.id
    return can_see_case(user, case)


def _uploader_key() -> str:
    return f"user:{current_user.id}"


def photo_urls(photo: Photo) -> dict:
    return {"id": photo.id, "url": url_for("web.photo", photo_id=photo.id),
            "thumbnail_url": url_for("web.photo_thumbnail", photo_id=photo.id)}


@bp.route("/photos", methods=["POST"])
@login_required
@limiter.limit(PHOTO_UPLOAD_RATE_LIMIT, key_func=_uploader_key)
def upload_photo():
    if not may_upload(current_user):
        abort(403)
    file_storage = request.files.get("photo")
    if file_storage is None:
        return jsonify({"error": domain_message(InvalidInput("请选择照片", "Choose a photo."))}), 400
    try:
        photo = store_photo(file_storage, current_user)
    except DomainError as error:
        db.session.rollback()
        return jsonify({"error": domain_message(error)}), error.http_status
    db.session.commit()
    return jsonify(photo_urls(photo)), 201


def _visible_photo(photo_id: int) -> Photo:
    photo = db.get_or_404(Photo, photo_id)
    if not may_see_photo(current_user, photo):
        abort(403)
    return photo


def _send(photo: Photo, thumbnail: bool):
    path = photo_path(photo, thumbnail)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="image/jpeg" if thumbnail else photo.content_type)


@bp.route("/photos/<int:photo_id>")
@login_required
def photo(photo_id: int):
    return _send(_visible_photo(photo_id), thumbnail=False)


@bp.route("/photos/<int:photo_id>/thumb")
@login_required
def photo_thumbnail(photo_id: int):
    return _send(_visible_photo(photo_id), thumbnail=True)
