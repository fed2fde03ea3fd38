"""The page cache: pages and API answers served again until a write, never across users, days or sessions'
CSRF tokens, and never before a write the reader made (docs/performance.md "The page cache")."""

import re
import threading

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update

from inspect_loop import create_app
from inspect_loop.caching.models import DataVersion
from inspect_loop.caching.pages import CACHE_HEADER, PAGE_CACHE_MARK
from inspect_loop.caching.store import MemoryStore
from inspect_loop.caching.versions import current_version
from inspect_loop.db import db
from inspect_loop.units.models import Unit
from inspect_loop.users.operations import issue_api_token
from tests.api.client import Api, ok
from tests.factories import inspect
from tests.web.test_inbox import assigned

SHARED = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "UPLOAD_FOLDER")


def version_row():
    db.session.rollback()
    return db.session.execute(select(DataVersion.epoch, DataVersion.version)).one()


def served(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.headers[CACHE_HEADER], response.get_data(as_text=True)


def test_a_writing_transaction_raises_the_version_once_and_a_reading_one_does_not(county):
    epoch, before = version_row()
    db.session.execute(select(Unit.name)).all()
    db.session.commit()
    assert version_row() == (epoch, before)
    county.units.shop.name = "改名的商店"
    db.session.flush()
    county.units.market.name = "改名的市场"
    db.session.commit()
    assert version_row() == (epoch, before + 1)


def test_a_statement_that_changes_no_row_raises_nothing(county):
    _, before = version_row()
    db.session.execute(update(Unit).where(Unit.id == -1).values(name="无此单位"))
    db.session.commit()
    assert version_row()[1] == before
    db.session.execute(update(Unit).where(Unit.id == county.units.shop.id).values(name="改名的商店"))
    db.session.commit()
    assert version_row()[1] == before + 1


def test_a_rolled_back_write_raises_nothing(county):
    _, before = version_row()
    county.units.shop.name = "不会保存"
    db.session.flush()
    db.session.rollback()
    county.units.shop.address  # noqa: B018  (a read after the rollback, committed)
    db.session.commit()
    assert version_row()[1] == before


def test_the_table_emptied_and_written_again_starts_a_new_epoch(county):
    epoch, _ = version_row()
    db.session.execute(DataVersion.__table__.delete())
    db.session.commit()  # the DELETE is a write: the row is made anew at once
    assert version_row()[0] != epoch


def test_a_write_anywhere_makes_every_page_anew(login, county):
    assignment = assigned(county)
    fire = login("fire")
    url = f"/units/{county.units.shop.id}"
    office = login("office")
    assert served(office, url)[0] == "miss"
    assert served(office, url)[0] == "hit"

    served(fire, "/inbox?tab=all")
    assert fire.post(f"/inbox/{assignment.id}/receipt").status_code == 302
    assert served(office, url)[0] == "miss", "a write anywhere makes every page anew"


def test_the_inbox_list_shows_a_receipt_the_reader_just_signed(login, county):
    assignment = assigned(county)
    east = login("east")
    assert served(east, "/inbox?tab=all")[0] == "miss"
    before = served(east, "/inbox?tab=all")
    assert before[0] == "hit"
    assert east.post(f"/inbox/{assignment.id}/receipt").status_code == 302
    with_message = east.get("/inbox?tab=all")  # shows the flashed 已签收, so not from the cache
    assert CACHE_HEADER not in with_message.headers
    after = served(east, "/inbox?tab=all")
    assert after[0] == "miss" and after[1] != before[1]


def test_each_user_gets_their_own_page(login, county):
    url = f"/units/{county.units.shop.id}"
    office, inspector = login("office"), login("inspector")
    assert served(office, url)[0] == "miss"
    state, page = served(inspector, url)
    assert state == "miss"
    assert served(inspector, url) == ("hit", page)


def test_a_session_ended_on_another_device_is_never_served_a_kept_page(login, county):
    url = f"/units/{county.units.shop.id}"
    phone, desk = login("office"), login("office")
    assert served(phone, url)[0] == "miss" and served(desk, url)[0] == "hit"
    with phone.session_transaction() as kept_cookie:
        ended = dict(kept_cookie)
    assert phone.post("/logout").status_code == 302  # ends every session of the user (a new generation)
    with phone.session_transaction() as session:
        session.update(ended)  # the old cookie, replayed
    assert phone.get(url).status_code == 302
    assert desk.get(url).status_code == 302


def test_a_new_day_makes_the_page_anew(login, county):
    url = f"/units/{county.units.shop.id}"
    with freeze_time("2026-12-07 10:00:00+08:00"):
        office = login("office")
        served(office, url)
        assert served(office, url)[0] == "hit"
    with freeze_time("2026-12-08 00:01:00+08:00"):
        assert served(office, url)[0] == "miss"


def test_an_entry_lives_its_seconds_at_most(login, county):
    url = f"/units/{county.units.shop.id}"
    with freeze_time("2026-12-07 10:00:00+08:00") as frozen:
        office = login("office")
        served(office, url)
        frozen.tick(59)
        assert served(office, url)[0] == "hit"
        frozen.tick(2)
        assert served(office, url)[0] == "miss"


def test_a_flashed_message_is_shown_even_when_the_page_was_kept(login, county):
    township = login("east")
    served(township, "/inbox")
    assert served(township, "/inbox")[0] == "hit"
    with township.session_transaction() as session:
        session["_flashes"] = [("success", "已签收交办单")]
    response = township.get("/inbox")
    assert "已签收交办单" in response.get_data(as_text=True) and CACHE_HEADER not in response.headers
    assert served(township, "/inbox")[0] == "hit"


TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_every_reader_gets_their_own_sessions_csrf_token_in_a_kept_page(app, strict_app, county):
    from tests.factories import PASSWORD

    def logged_in():
        client = strict_app.test_client()
        token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"username": "office", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        return client

    first, second = logged_in(), logged_in()  # the same user on two devices: two sessions
    url = f"/units/{county.units.shop.id}"
    state, page = served(first, url)
    assert state == "miss" and "csrf-stand-in" not in page
    state, kept = served(second, url)
    assert state == "hit" and "csrf-stand-in" not in kept
    token = TOKEN.search(kept).group(1)
    assert token != TOKEN.search(page).group(1)
    # The kept page's token is the second session's own: its form posts (logging out ends the session).
    assert second.post("/logout", data={"csrf_token": token}).status_code == 302
    assert second.get(url).status_code == 302


def test_an_api_list_is_served_again_until_a_write_and_the_writer_sees_its_change(client, county):
    case = inspect(county, county.units.shop, "XF-01").findings[0].case
    token = issue_api_token(county.users.office)
    db.session.commit()
    api = Api(client, {"office": token})

    def cases():
        response = api.get("/cases", "office")
        assert response.status_code == 200
        return response.headers[CACHE_HEADER], response.get_json()

    assert cases()[0] == "miss"
    state, answer = cases()
    assert state == "hit" and [item["stage"] for item in answer["items"]] == ["reminder"]
    ok(api.post(f"/cases/{case.id}/escalate", "office", json={"reason": "拒不整改"}))
    state, answer = cases()
    assert state == "miss" and [item["stage"] for item in answer["items"]] == ["warning"]


def test_the_verification_page_counts_every_check_also_when_served_from_the_cache(app, county):
    from urllib.parse import urlsplit

    from inspect_loop.letters.issuing import verify_url
    from inspect_loop.letters.models import Document, DocumentCheck

    inspect(county, county.units.shop, "XF-01")
    db.session.commit()
    document = db.session.scalars(select(Document)).first()
    path = urlsplit(verify_url(document)).path
    client = app.test_client()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        response = client.get(path, environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 200
    assert response.headers[CACHE_HEADER] == "hit"
    db.session.rollback()
    assert db.session.scalar(select(func.count(DocumentCheck.id))) == 3


@pytest.fixture
def redis_apps(app):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    apps = [create_app({**{key: app.config[key] for key in SHARED}, "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "RATELIMIT_ENABLED": False, "CACHE_REDIS_URL": url}) for _ in range(2)]
    yield apps
    redis.Redis.from_url(url).flushdb()


def test_two_app_machines_share_the_cache_in_redis_and_a_write_on_one_is_seen_on_the_other(redis_apps, county):
    from tests.factories import PASSWORD

    def logged_in(machine):
        client = machine.test_client()
        assert client.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 302
        return client

    one, other = (logged_in(machine) for machine in redis_apps)
    url = f"/units/{county.units.shop.id}"
    assert served(one, url)[0] == "miss"
    assert served(other, url)[0] == "hit"
    with redis_apps[0].app_context():
        db.session.execute(update(Unit).where(Unit.id == county.units.shop.id).values(name="改名后的商店"))
        db.session.commit()
    state, page = served(other, url)
    assert state == "miss" and "改名后的商店" in page


def test_an_unreachable_redis_costs_the_cache_not_the_page(app, county):
    from tests.factories import PASSWORD

    machine = create_app({**{key: app.config[key] for key in SHARED}, "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    client = machine.test_client()
    assert client.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 302
    assert served(client, f"/units/{county.units.shop.id}")[0] == "miss"
    assert served(client, f"/units/{county.units.shop.id}")[0] == "miss"


def test_the_memory_store_forgets_the_least_recently_used_beyond_its_bytes():
    store = MemoryStore(max_bytes=10)
    store.set("a", b"1234", 60)
    store.set("b", b"5678", 60)
    assert store.get("a") == b"1234"  # now the most recently used
    store.set("c", b"9012", 60)
    assert store.get("b") is None and store.get("a") == b"1234" and store.get("c") == b"9012"
    store.set("huge", b"x" * 11, 60)
    assert store.get("huge") is None


N = 6


def test_writers_at_once_each_raise_the_version_and_none_fails(app, county):
    """N transactions committing at once, each on its own connection: the version rises by N, no lost update
    (PostgreSQL's row lock on the version row from the raise to the commit; SQLite's write lock)."""
    _, before = version_row()
    db.session.commit()
    unit_ids = [county.units.shop.id] * N
    start, errors = threading.Barrier(N), []

    def write(index):
        try:
            with app.app_context():
                start.wait()
                db.session.execute(update(Unit).where(Unit.id == unit_ids[index]).values(name=f"商店{index}"))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert version_row()[1] == before + N


def test_the_version_is_read_once_per_request(app, county):
    with app.test_request_context("/"):
        first = current_version()
        db.session.execute(update(Unit).where(Unit.id == county.units.shop.id).values(name="改名"))
        db.session.commit()
        assert current_version() == first


def test_only_pages_read_with_get_are_kept(app):
    """A kept page is served without running its view: a view that also handles a form must not be kept."""
    kept = [rule for rule in app.url_map.iter_rules()
            if getattr(app.view_functions[rule.endpoint], PAGE_CACHE_MARK, False)]
    assert len(kept) >= 20
    assert [rule.rule for rule in kept if rule.methods - {"GET", "HEAD", "OPTIONS"}] == []
