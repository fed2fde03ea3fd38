"""送达: recording how and when a notice reached its addressee, once, and the county office's corrections.

A notice of ``SERVED_KINDS`` (整改提醒通知书, 警示约谈通知书, 执法建议书) carries a 送达回证 on its last page; the
person who serves it records here the method, the day, the place, who signed (for 留置送达 the witness and the
reason instead) and a photo of the signed receipt. A 交办单 is acknowledged by its recipients in the system.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, select

from inspect_loop import clock
from inspect_loop.audit.events import DocumentServed, ServiceCorrected
from inspect_loop.audit.log import record_event
from inspect_loop.characters import check_text
from inspect_loop.db import db, lock
from inspect_loop.errors import Conflict, Forbidden, InvalidInput
from inspect_loop.inspections.models import InspectionMember, Photo
from inspect_loop.labels import en, zh
from inspect_loop.letters.models import SERVED_KINDS, Document, DocumentService, DocumentStatus, ServiceMethod
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, allowed, require, require_in_county, require_in_township

PLACE_MAX = 300
NAME_MAX = 100
TEXT_MAX = 1000
MAX_PHOTOS = 5


@dataclass(frozen=True)
class ServiceDetails:
    """What a record of service says; the same for recording and correcting it."""

    method: ServiceMethod
    served_on: date
    place: str
    receiver: str | None = None
    witness: str | None = None
    left_reason: str | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return {"method": self.method.value, "served_on": self.served_on.isoformat(), "place": self.place,
                "receiver": self.receiver, "witness": self.witness, "left_reason": self.left_reason,
                "note": self.note}


def unserved_condition():
    """SQL condition on ``Document``: a valid notice that must be served and whose service is not recorded. A
    re-issued notice is a new paper: its new version is served again."""
    return and_(Document.kind.in_(SERVED_KINDS), Document.status == DocumentStatus.valid,
                ~exists().where(DocumentService.document_id == Document.id))


def service_of(document: Document) -> DocumentService | None:
    """Read from the database, not the loaded relationship: under the lock, what a rival may have recorded."""
    return db.session.scalar(select(DocumentService).where(DocumentService.document_id == document.id))


def _handed_over_by(actor: User, document: Document) -> bool:
    """The inspector issued the notice, or was on the team of the inspection it was issued for."""
    if document.issued_by_id == actor.id:
        return True
    if document.inspection_id is None:
        return False
    return db.session.scalar(select(InspectionMember.user_id).where(
        InspectionMember.inspection_id == document.inspection_id, InspectionMember.user_id == actor.id)) is not None


def may_serve(actor: User, document: Document) -> bool:
    try:
        require_server(actor, document)
    except Forbidden:
        return False
    return True


def require_server(actor: User, document: Document) -> None:
    """Who records a notice's service: the inspector who issued or handed it over, the township office of the
    unit, the county office of the unit (and the administrator)."""
    require(actor, Action.serve_document)
    unit = document.unit
    if actor.role == Role.inspector and not _handed_over_by(actor, document):
        raise Forbidden("只有签发或现场送达该文书的检查人员可以登记送达",
                        "Only the inspector who issued or handed over this notice may record its service.")
    if actor.role == Role.township_office:
        if actor.department is None:
            raise Forbidden("该账号未指定所属部门，请联系管理员", "Your account belongs to no department; ask the administrator to set it.")
        require_in_township(actor, unit.township_id)
    require_in_county(actor, unit.county_id)


def _text(value: str | None, limit: int, *, field: str, label: str, label_en: str, multiline: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字", f"{label_en} may have at most {limit} characters.", field=field)
    check_text(value, field=field, label=label, label_en=label_en, multiline=multiline)
    return value


def _checked(document: Document, details: ServiceDetails) -> ServiceDetails:
    """The details cleaned, or a refusal naming the field: a day neither in the future nor before the notice was
    issued, a place, who signed (direct and postal service), the witness and the reason (留置送达)."""
    if not isinstance(details.method, ServiceMethod):
        raise InvalidInput("请选择送达方式", "Choose how the notice was served.", field="method")
    if details.served_on > clock.today():
        raise InvalidInput("送达日期不能晚于今天", "The day of service cannot be later than today.", field="served_on")
    if details.served_on < document.issued_on:
        raise InvalidInput(f"送达日期不能早于文书签发日期（{document.issued_on.isoformat()}）",
                           f"The day of service cannot be earlier than the day the notice was issued ({document.issued_on}).",
                           field="served_on")
    place = _text(details.place, PLACE_MAX, field="place", label="送达地点", label_en="The place of service")
    if place is None:
        raise InvalidInput("请填写送达地点（邮寄送达填写邮寄地址，电子送达填写接收号码或地址）",
                           "Give the place of service (for service by post the postal address, for electronic service the number or address it was sent to).", field="place")
    receiver = _text(details.receiver, NAME_MAX, field="receiver", label="受送达人", label_en="The name of the receiver")
    witness = _text(details.witness, NAME_MAX, field="witness", label="见证人", label_en="The name of the witness")
    left_reason = _text(details.left_reason, TEXT_MAX, field="left_reason", label="留置理由",
                        label_en="The reason for leaving it", multiline=True)
    note = _text(details.note, TEXT_MAX, field="note", label="备注", label_en="The note", multiline=True)
    if details.method == ServiceMethod.left_at_premises:
        if witness is None:
            raise InvalidInput("留置送达须填写见证人", "A notice left at the premises needs a witness: give the witness's name.", field="witness")
        if left_reason is None:
            raise InvalidInput("留置送达须填写留置理由（如拒绝签收）", "Give the reason the notice was left at the premises (for example, receipt was refused).",
                               field="left_reason")
    else:
        if receiver is None:
            raise InvalidInput("请填写签收的受送达人姓名", "Give the name of the person who signed for it.",
                               field="receiver")
        witness = left_reason = None
    return ServiceDetails(method=details.method, served_on=details.served_on, place=place, receiver=receiver,
                          witness=witness, left_reason=left_reason, note=note)


def _current(service: DocumentService) -> dict:
    return {"document_id": service.document_id, "service_id": service.id, "method": service.method.value,
            "served_on": service.served_on.isoformat()}


def record_service(actor: User, document: Document, details: ServiceDetails, *, server: User | None = None,
                   photos: list[Photo] = ()) -> DocumentService:
    """Record the service of ``document`` (once). ``server`` is the person who served it, the actor by default;
    ``photos`` are the actor's unattached uploads of the signed 送达回证."""
    require_server(actor, document)
    if document.kind not in SERVED_KINDS:
        raise InvalidInput(f"{zh(document.kind)}由接收部门在系统中签收，无需登记送达",
                           f"An {en(document.kind).lower()} is acknowledged by its recipients in the system; its "
                           "service is not recorded.", field="document_id")
    details = _checked(document, details)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"送达回证照片最多{MAX_PHOTOS}张", f"At most {MAX_PHOTOS} photos of the proof of service.", field="photos")
    server = server or actor
    if not server.active or not allowed(server, Action.serve_document):
        raise InvalidInput("送达人须为在用的检查人员或平安办工作人员", "The person who served it must be an active inspector or Safety Office user.",
                           field="server")
    lock(document)
    if (existing := service_of(document)) is not None:
        raise Conflict(f"该文书已于{existing.served_on.isoformat()}登记送达", f"The service of this notice was already recorded "
                       f"({existing.served_on.isoformat()}).",
                       current=_current(existing))
    if document.status != DocumentStatus.valid:
        raise Conflict(f"该文书{zh(document.status)}，不能登记送达", f"The notice cannot be served: its status is “{en(document.status)}”.",
                       current={"document_id": document.id, "status": document.status.value})
    for photo in photos:
        if photo.uploaded_by_id != actor.id or photo.is_attached:
            raise InvalidInput("照片无效或已被使用，请重新上传", "A photo is invalid or already used: upload it again.", field="photos")
    moment = clock.now()
    service = DocumentService(
        document_id=document.id, method=details.method, served_on=details.served_on, place=details.place,
        receiver=details.receiver, witness=details.witness, left_reason=details.left_reason, note=details.note,
        server_id=server.id, recorded_at=moment, recorded_by_id=actor.id)
    db.session.add(service)
    db.session.flush()
    for photo in photos:
        photo.service_id = service.id
    record_event(actor, DocumentServed(case_id=document.case_id, unit_id=document.unit_id, number=document.number,
                                       method=details.method, served_on=details.served_on, receiver=details.receiver,
                                       witness=details.witness, photos=[photo.id for photo in photos]), document)
    db.session.flush()
    return service


def correct_service(actor: User, document: Document, details: ServiceDetails, reason: str) -> DocumentService:
    """The county office corrects what a record of service says (a wrong day, a misspelt name), with a reason;
    the audit event keeps what it said before. Photos stay as they were uploaded."""
    require(actor, Action.correct_service)
    require_in_county(actor, document.unit.county_id)
    reason = _text(reason, TEXT_MAX, field="reason", label="更正理由", label_en="The reason for the correction", multiline=True)
    if reason is None:
        raise InvalidInput("请填写更正理由", "Give the reason for the correction.", field="reason")
    details = _checked(document, details)
    lock(document)
    service = service_of(document)
    if service is None:
        raise Conflict("该文书尚未登记送达，无可更正", "The service of this notice is not recorded yet, so there is nothing to correct.",
                       current={"document_id": document.id, "served": False})
    before = ServiceDetails(method=service.method, served_on=service.served_on, place=service.place,
                            receiver=service.receiver, witness=service.witness, left_reason=service.left_reason,
                            note=service.note).as_dict()
    if before == details.as_dict():
        raise InvalidInput("更正内容与原记录相同", "The correction is the same as the record.", field="method")
    for name, value in vars(details).items():
        setattr(service, name, value)
    service.corrected_at = clock.now()
    record_event(actor, ServiceCorrected(case_id=document.case_id, unit_id=document.unit_id, reason=reason,
                                         number=document.number, before=before, after=details.as_dict()), document)
    db.session.flush()
    return service


def unattached_uploads(actor: User, photo_ids: list[int]) -> list[Photo]:
    """The actor's own uploads not yet attached to anything, in the order given; any other id is refused."""
    ids = list(dict.fromkeys(photo_ids))
    if not ids:
        return []
    photos = {photo.id: photo for photo in db.session.scalars(select(Photo).where(
        Photo.id.in_(ids), Photo.uploaded_by_id == actor.id, *Photo.unattached()))}
    if len(photos) != len(ids):
        raise InvalidInput("照片无效或已被使用，请重新上传", "A photo is invalid or already used: upload it again.", field="photos")
    return [photos[photo_id] for photo_id in ids]
