"""A loopback BASE_URL is printed for good into every notice's QR code: the server warns at startup, for each
notice issued outside the demo's replay, and on the office's and the administrator's home pages."""

import logging
from datetime import datetime

import pytest
from sqlalchemy import select

from inspect_loop import clock, create_app
from inspect_loop.config import is_loopback_url
from tests.factories import inspect
from tests.helpers import at


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:5000", True), ("http://127.8.9.10", True), ("http://localhost:5000/", True),
    ("http://LOCALHOST.", True), ("http://app.localhost", True), ("http://[::1]:5000", True),
    ("https://pingan.lanxi.gov.cn", False), ("http://10.0.0.5:5000", False), ("http://192.168.1.20", False),
    ("https://localhost.example.cn", False), ("", False),
])
def test_loopback_addresses(url, loopback):
    assert is_loopback_url(url) is loopback


def startup_warnings(caplog, tmp_path, base_url: str) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"BASE_URL": base_url, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    return [record.getMessage() for record in caplog.records if "BASE_URL" in record.getMessage()]


def test_the_server_warns_at_startup_of_a_loopback_base_url(caplog, tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECT_LOOP_BASE_URL", raising=False)
    assert startup_warnings(caplog, tmp_path, "http://127.0.0.1:5000") == [
        "BASE_URL is http://127.0.0.1:5000, a loopback address: every notice issued outside the demo prints it in "
        "its QR code and verification line for good, and no phone can open it. Set INSPECT_LOOP_BASE_URL to the "
        "address the public reaches before issuing notices."]
    assert startup_warnings(caplog, tmp_path, "https://pingan.lanxi.gov.cn") == []


def test_each_notice_issued_outside_the_demo_with_a_loopback_base_url_is_logged(app, county, database, caplog,
                                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:5000")
    with caplog.at_level(logging.WARNING), clock.replaying(datetime(2026, 3, 1, 10)):
        inspect(county, county.units.shop, "XF-01")
    assert not [record for record in caplog.records if "BASE_URL" in record.getMessage()]  # the demo's replay
    with caplog.at_level(logging.WARNING), at("2026-03-02"):
        inspect(county, county.units.market, "SP-01")
    warnings = [record.getMessage() for record in caplog.records if "BASE_URL" in record.getMessage()]
    assert len(warnings) == 1 and "http://localhost:5000" in warnings[0] and "兰平安提〔2026〕2号" in warnings[0]
    caplog.clear()
    monkeypatch.setitem(app.config, "BASE_URL", "https://pingan.example.gov.cn")
    with caplog.at_level(logging.WARNING), at("2026-03-02"):
        inspect(county, county.units.factory, "XF-02")
    assert not [record for record in caplog.records if "BASE_URL" in record.getMessage()]


def test_reading_a_notice_s_address_warns_of_nothing(app, county, database, caplog, monkeypatch):
    # It did: the API's document answer and the public verification page built the address through the function
    # that warned, so each read logged "notice … issued" for a notice issued long before.
    from inspect_loop.letters.issuing import verify_url
    from inspect_loop.letters.models import Document

    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:5000")
    with clock.replaying(datetime(2026, 3, 1, 10)):
        inspect(county, county.units.shop, "XF-01")
    document = database.session.scalar(select(Document))
    with caplog.at_level(logging.WARNING):
        assert verify_url(document).startswith("http://localhost:5000/v/")
    assert not [record for record in caplog.records if "BASE_URL" in record.getMessage()]
