"""Every form posted to the pages obeys the character rule of stored text (``inspect_loop/characters.py``):
one check of every posted value before any view runs, so no form can forget it, and a refused form has
changed nothing. The API checks its bodies itself (``api/schemas.py``).

Passwords are left alone. Only the fields typed in a ``<textarea>`` — notes, reasons, problem descriptions — may hold line breaks and
tabs (``tests/web/test_characters.py`` checks the templates against ``MULTILINE_FIELDS``). The refusal names
the field as the form labels it; ``FIELD_LABELS`` holds the label of every text field the forms post.
"""

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_loop.characters import refused_character
from inspect_loop.web.errors import error_page
from inspect_loop.web.helpers import is_english
from inspect_loop.web.security import FORM_TYPES

MULTILINE_FIELDS = frozenset({"notes", "note", "reason", "action_taken", "decision", "minutes"})
# The inspection form names each problem's description, and its note of a rectification on the spot, after
# its hazard type: description_<id>, spot_note_<id>.
DESCRIPTION_PREFIX = "description_"
SPOT_NOTE_PREFIX = "spot_note_"
PREFIXES = (DESCRIPTION_PREFIX, SPOT_NOTE_PREFIX)

# Passwords are only hashed, never shown, stored or exported as text: whatever a password manager puts in
# one may stay (NIST SP 800-63B), and a password set earlier must go on working.
PASSWORD_FIELDS = frozenset({"password", "current", "new", "repeat"})

FIELD_LABELS = {
    "username": _l("用户名"), "display_name": _l("姓名或称呼"), "name": _l("名称"), "code": _l("代码"), "parent_code": _l("上级区划代码"), "sectors": _l("负责行业"),
    "doc_prefix": _l("文号前缀"), "category": _l("类别"), "title": _l("标题"), "sector": _l("行业"),
    "uscc": _l("统一社会信用代码"), "address": _l("地址"), "contact_name": _l("联系人"), "contact_phone": _l("联系电话"),
    "notes": _l("备注"), "note": _l("说明"), "reason": _l("理由"), DESCRIPTION_PREFIX: _l("问题描述"),
    "venue": _l("地点"), "held_at": _l("约谈时间"), "participants": _l("参加人次"), "attendee_name": _l("到场人员姓名"),
    "attendee_title": _l("职务"), "decision_no": _l("决定书文号"), "amount": _l("罚款金额（元）"),
    "deadline": _l("整改期限"), "expires_on": _l("公示截止日期"), "full_name": _l("发文机关全称"),
    "contact_person": _l("联系人"), "legal_basis": _l("法律依据"), "venue_address": _l("约谈地点地址"),
    "minutes": _l("约谈记录"), "topic": _l("主题"), "organiser": _l("组织单位"), "held_on": _l("活动日期"),
    "person_times": _l("人次"),
    "action_taken": _l("办理情况"), "done_on": _l("办理日期"), "reply_number": _l("反馈文号"),
    "requested_deadline": _l("申请延至"), "granted_deadline": _l("准予延至"),
    SPOT_NOTE_PREFIX: _l("当场整改情况"), "decision": _l("复业决定"), "resumed_on": _l("复业日期"),
    "deregistered_on": _l("注销日期"), "watch_list_clean_months": _l("无新案件期限（月）"),
}


def is_multiline(name: str) -> bool:
    return name in MULTILINE_FIELDS or name.startswith(PREFIXES)


def field_label(name: str) -> str:
    key = next((prefix for prefix in PREFIXES if name.startswith(prefix)), name)
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else _("提交的内容")


def refuse_unwanted_characters():
    """A 400 page naming the first posted field that holds a refused character."""
    if request.path.startswith("/api/") or request.mimetype not in FORM_TYPES:
        return None
    for name, value in request.form.items(multi=True):
        if name in PASSWORD_FIELDS:
            continue
        found = refused_character(value, multiline=is_multiline(name))
        if found is not None:
            description = found.description_en if is_english() else found.description_zh
            return error_page(400, _("“%(field)s”含有%(character)s，多由复制粘贴带入。请返回，清空该项后重新输入。",
                                     field=field_label(name), character=description))
    return None
