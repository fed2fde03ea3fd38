"""The data version: one row, raised by every transaction that writes (``versions.py``)."""

import secrets

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_loop.db import db

# The only row's id.
THE_ROW = 1


def new_epoch() -> str:
    """Names one life of the row: a row made anew (an emptied table, a database rebuilt) never repeats the
    keys of cache entries made before it, even where its counter starts again from the same number."""
    return secrets.token_hex(8)


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    epoch: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(BigInteger)
