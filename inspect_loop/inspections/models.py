import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User


class InspectionKind(enum.StrEnum):
    unannounced = "unannounced"  # 暗访
    reinspection = "reinspection"  # 复查
    follow_up = "follow_up"  # 回访
    self_check = "self_check"  # 主体自查
    grid_patrol = "grid_patrol"  # 网格巡查
    department = "department"  # 部门检查
    special = "special"  # 专项督查




class PlanStatus(enum.StrEnum):
    planned = "planned"
    done = "done"
    cancelled = "cancelled"


class InspectionPlan(db.Model):
    """A planned unannounced visit (四不两直): secret to everyone but its team and the county office."""

    __tablename__ = "inspection_plan"
    __table_args__ = (Index("ix_inspection_plan_day", "planned_on", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    planned_on: Mapped[date]
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, "plan_kind"),
                                                 default=InspectionKind.unannounced)
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, "plan_status"), default=PlanStatus.planned)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))

    unit: Mapped[Unit] = relationship()
    team: Mapped[list[User]] = relationship(secondary="inspection_plan_member")


class InspectionPlanMember(db.Model):
    __tablename__ = "inspection_plan_member"

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)


class Inspection(db.Model):
    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, "inspection_kind"))
    inspected_at: Mapped[datetime]
    inspected_on: Mapped[date] = mapped_column(index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Chosen by the form or the client for one submission: sent again (a second tap, a retry after a lost
    # answer on a weak mobile connection) it finds this inspection instead of recording another.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    unit: Mapped[Unit] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    team: Mapped[list[User]] = relationship(secondary="inspection_member")
    findings: Mapped[list["Finding"]] = relationship(back_populates="inspection", order_by="Finding.id")
    verifications: Mapped[list["Verification"]] = relationship(back_populates="inspection")


class InspectionMember(db.Model):
    __tablename__ = "inspection_member"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class FindingStatus(enum.StrEnum):
    open = "open"
    closed = "closed"
    voided = "voided"  # the case ended without rectification: withdrawn, shut down or banned


class CloseKind(enum.StrEnum):
    verified = "verified"  # a re-inspection at the reminder stage saw it rectified
    closed_out = "closed_out"  # signed off by the regulator and closed out (销号) by the territorial office
    on_the_spot = "on_the_spot"  # 即查即改: put right during the visit that found it, with a photo


class Finding(db.Model):
    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_status_deadline", "status", "deadline"),
        Index("ix_finding_unit_hazard_found", "unit_id", "hazard_type_id", "found_on"),
        # A unit's open and overdue findings (三色); findings found, and closed, in a period (statistics).
        Index("ix_finding_unit_status_deadline", "unit_id", "status", "deadline"),
        Index("ix_finding_found_on", "found_on"),
        Index("ix_finding_status_closed_on", "status", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a finding rectified on the spot (即查即改) at a unit with no open case: it opens none.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    hazard_type_id: Mapped[int] = mapped_column(ForeignKey("hazard_type.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "finding_severity"))
    found_at: Mapped[datetime]
    found_on: Mapped[date]
    deadline: Mapped[date]
    status: Mapped[FindingStatus] = mapped_column(enum_column(FindingStatus, "finding_status"),
                                                  default=FindingStatus.open)
    # The first report decides "rectified on time" (SPEC section 3); later reports are in Rectification.
    first_reported_at: Mapped[datetime | None]
    first_reported_on: Mapped[date | None]
    signed_off_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_on: Mapped[date | None] = mapped_column(index=True)
    close_kind: Mapped[CloseKind | None] = mapped_column(enum_column(CloseKind, "finding_close_kind"))

    case: Mapped["Case | None"] = relationship(back_populates="findings")  # noqa: F821
    unit: Mapped[Unit] = relationship()
    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    hazard_type: Mapped[HazardType] = relationship()
    deadlines: Mapped[list["FindingDeadline"]] = relationship(order_by="FindingDeadline.id",
                                                               cascade="all, delete-orphan")
    photos: Mapped[list["Photo"]] = relationship(foreign_keys="Photo.finding_id", order_by="Photo.id")
    rectifications: Mapped[list["Rectification"]] = relationship(back_populates="finding",
                                                                 order_by="Rectification.id")

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.open

    def __repr__(self) -> str:
        return f"<Finding {self.id} {self.status}>"


class FindingDeadline(db.Model):
    """Every deadline a finding has had: the first from ``rectify_days``, later ones from 交办单 and approved
    extensions (延期)."""

    __tablename__ = "finding_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[date]
    set_at: Mapped[datetime]
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    # Set by an approved extension (延期): the one way a deadline may move later than a 交办单 allows.
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("extension_request.id"))


class Verification(db.Model):
    """What a re-inspection or follow-up saw of one open finding."""

    __tablename__ = "verification"
    __table_args__ = (UniqueConstraint("inspection_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    rectified: Mapped[bool]

    inspection: Mapped[Inspection] = relationship(back_populates="verifications")
    finding: Mapped[Finding] = relationship()


class Rectification(db.Model):
    """A report that a finding has been rectified, made for the unit by its township office or an inspector."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime]
    reported_on: Mapped[date]
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    finding: Mapped[Finding] = relationship(back_populates="rectifications")
    reported_by: Mapped[User] = relationship()
    photos: Mapped[list["Photo"]] = relationship(foreign_keys="Photo.rectification_id", order_by="Photo.id")


class Photo(db.Model):
    """An uploaded image, stored on disk under its SHA-256; attached to a finding, a rectification report, a
    record of service (the signed 送达回证), an extension request (its evidence) or a summons (the unit's signed
    责任书/承诺书)."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("document_service.id"), index=True)
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("extension_request.id"), index=True)
    # A page of the unit's signed 责任书/承诺书, handed in at its interview.
    summons_id: Mapped[int | None] = mapped_column(ForeignKey("summons.id"), index=True)
    uploaded_at: Mapped[datetime]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    # What a photo can belong to; an upload on none of them waits for its form to be submitted.
    OWNER_COLUMNS = ("finding_id", "rectification_id", "service_id", "extension_id", "summons_id")

    @property
    def is_attached(self) -> bool:
        return any(getattr(self, column) is not None for column in self.OWNER_COLUMNS)

    @classmethod
    def unattached(cls) -> tuple:
        """The SQL conditions of an upload attached to nothing yet."""
        return tuple(getattr(cls, column).is_(None) for column in cls.OWNER_COLUMNS)
