"""The regulator's 执法建议书: the referrals addressed to its department, the date each asks its feedback by,
and the form that records what it did (``enforcement/feedback.py``). The county office records a reply sent
on paper from the case page instead (``office.py``)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import ReferralFeedback
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.users.models import Role
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day
from inspect_loop.web.auth import roles_required
from inspect_loop.web.helpers import commit_or_refusal, domain_message, form_text

regulators_only = roles_required(Role.regulator)


def current_referrals(rows: list[ReferralFeedback]) -> dict[int, Document]:
    """Per feedback row, the valid version of the referral it answers (a re-issue keeps the number), if it
    stands — one query for all the rows."""
    numbers = {(row.referral.issuer_id, row.referral.year, row.referral.serial): row.id for row in rows}
    if not numbers:
        return {}
    versions = db.session.scalars(select(Document).where(
        Document.kind == DocumentKind.referral, Document.status == DocumentStatus.valid,
        tuple_(Document.issuer_id, Document.year, Document.serial).in_(list(numbers))))
    return {numbers[(version.issuer_id, version.year, version.serial)]: version for version in versions}


def render_referrals(message: str | None = None, failed: int | None = None, status: int = 200):
    today = clock.today()
    rows = list(db.session.scalars(
        select(ReferralFeedback).where(ReferralFeedback.department_id == current_user.department_id)
        # Waiting for feedback first, the earliest due first; then the answered ones, the latest first.
        .order_by(ReferralFeedback.recorded_at.is_not(None), ReferralFeedback.due_on, ReferralFeedback.id.desc())
        .options(joinedload(ReferralFeedback.referral))))
    overdue = set(db.session.scalars(select(ReferralFeedback.id).where(
        ReferralFeedback.department_id == current_user.department_id, feedback.overdue_condition(today))))
    cases = {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_({row.case_id for row in rows})).options(joinedload(Case.unit)))}
    return render_template("inbox/referrals.html", rows=rows, cases=cases, overdue=overdue, today=today,
                           documents=current_referrals(rows), message=message, failed=failed), status


@bp.get("/inbox/referrals")
@regulators_only
@cached_page
def inbox_referrals():
    return render_referrals()


@bp.post("/inbox/referrals/<int:feedback_id>")
@regulators_only
def inbox_referral_feedback(feedback_id: int):
    row = db.get_or_404(ReferralFeedback, feedback_id)
    if row.department_id != current_user.department_id:
        abort(403)
    case = db.session.get(Case, row.case_id)
    refusal = commit_or_refusal(lambda: feedback.record_feedback(
        current_user, case, row.department, action_taken=form_text("action_taken", 2001),
        done_on=parse_day(form_text("done_on"), "done_on", "办理日期"), reply_number=form_text("reply_number", 61)))
    if refusal:
        return render_referrals(domain_message(refusal), feedback_id, refusal.http_status)
    flash(_("办理反馈已登记"), "success")
    return redirect(url_for("web.inbox_referrals"))
