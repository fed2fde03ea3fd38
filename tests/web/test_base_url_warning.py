"""The office's workbench and the administrator's home page say loudly when BASE_URL is a loopback address."""

import pytest

WARNING = "系统地址配置有误"


@pytest.mark.parametrize(("username", "page"), [("office", "/office"), ("root", "/admin")])
def test_the_home_pages_warn_of_a_loopback_base_url(app, login, monkeypatch, username, page):
    client = login(username)
    assert WARNING not in client.get(page).get_data(as_text=True)  # https://pingan.example.gov.cn
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5000")
    text = client.get(page).get_data(as_text=True)
    assert WARNING in text and "http://127.0.0.1:5000" in text and 'role="alert"' in text
