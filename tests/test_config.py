"""Configuration: defaults, then INSPECT_LOOP_* variables, then test_config; a secret key kept in instance/."""

from pathlib import Path

from inspect_loop import config, create_app


def test_variables_override_defaults_and_test_config_overrides_variables(monkeypatch):
    monkeypatch.setenv("INSPECT_LOOP_BASE_URL", "https://pingan.lanxi.gov.cn")
    monkeypatch.setenv("INSPECT_LOOP_MAX_CONTENT_LENGTH", "1048576")  # JSON: a number
    monkeypatch.setenv("INSPECT_LOOP_COUNTY_NAME", "兰溪市")
    monkeypatch.setenv("INSPECT_LOOP_SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://u@db.example/pingan")
    monkeypatch.setenv("OTHER_BASE_URL", "ignored")
    settings = config.from_environment()
    assert settings["BASE_URL"] == "https://pingan.lanxi.gov.cn" and settings["MAX_CONTENT_LENGTH"] == 1048576
    assert "OTHER_BASE_URL" not in settings and "BASE_URL" in settings

    app = create_app({"SECRET_KEY": "x" * 32, "COUNTY_NAME": "柯桥区"})
    assert app.config["BASE_URL"] == "https://pingan.lanxi.gov.cn"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/pingan"
    assert app.config["COUNTY_NAME"] == "柯桥区"  # test_config wins


def test_the_default_database_is_sqlite_under_instance_and_the_secret_key_is_kept(tmp_path):
    defaults = config.default_config(str(tmp_path))
    assert defaults["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "inspect_loop.sqlite")
    key = config.load_secret_key(str(tmp_path / "instance"))
    assert len(key) >= 48 and config.load_secret_key(str(tmp_path / "instance")) == key  # survives restarts
    key_file = Path(tmp_path / "instance" / "secret_key")
    assert key_file.stat().st_mode & 0o777 == 0o600
