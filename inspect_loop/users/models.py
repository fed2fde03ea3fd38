import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.regions.models import Department


class Role(enum.StrEnum):
    admin = "admin"
    safety_office = "safety_office"  # county safety office (县级平安办)
    township_office = "township_office"  # territorial safety office (乡镇街道平安办)
    inspector = "inspector"  # unannounced inspection team member (暗访组)
    regulator = "regulator"  # sector regulator (行业主管部门)
    viewer = "viewer"  # leaders: read only




class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Part of every session's login id (``get_id``): raising it ends every session of the user at once, as
    # logging out, a password change or reset and disabling do (``users.operations.end_sessions``).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    department: Mapped[Department | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie; ``web.auth.load_user`` accepts it only while the
        generation is still the user's."""
        return f"{self.id}:{self.session_generation}"

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak does not leak tokens."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
