"""Creating logins: only an administrator (or the server's operator on the command line), always logged."""

import pytest
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.errors import Forbidden
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user
from tests.factories import PASSWORD


def test_an_administrator_creates_a_user_and_the_event_names_them(county, database):
    user = create_user(username="zhao", role=Role.township_office, department=county.east_office,
                       password=PASSWORD, actor=county.users.admin)
    event = database.session.scalar(select(Event).where(Event.action == "user.created", Event.subject_id == user.id))
    assert event.actor_id == county.users.admin.id
    assert event.data == {"role": "township_office", "department": "LJ-PAB"}


def test_only_an_administrator_may_create_users(county, database):
    with pytest.raises(Forbidden):
        create_user(username="qian", role=Role.viewer, password=PASSWORD, actor=county.users.office)
    assert database.session.scalar(select(Event).where(Event.action == "user.created",
                                                       Event.actor_id == county.users.office.id)) is None


@pytest.mark.parametrize("username", ["ad\u202emin", "ins\u200bpector", "new\nuser", "a\x01b"])
def test_a_username_with_a_control_or_invisible_character_is_refused_also_from_the_command_line(county, username):
    from inspect_loop.errors import InvalidInput

    with pytest.raises(InvalidInput) as refusal:
        create_user(username=username, role=Role.inspector, password=PASSWORD)
    assert refusal.value.field == "username" and refusal.value.message_zh.startswith("用户名含有")
