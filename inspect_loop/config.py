"""Configuration: defaults, then ``INSPECT_LOOP_*`` environment variables, then ``test_config``."""

import json
import os
import secrets
from pathlib import Path

ENV_PREFIX = "INSPECT_LOOP_"


def default_config(instance_path: str) -> dict:
    return {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "inspect_loop.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": "http://127.0.0.1:5000",
        "TESTING": False,
        # Photos from phones are downscaled in the browser; 16 MB leaves room for several per request.
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Reverse proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto. Behind one,
        # set 1: otherwise every client has the proxy's address and the login limit locks out everyone.
        "PROXY_COUNT": 0,
        "COUNTY_NAME": "",
    }


def _parse(value: str):
    """Environment values may be JSON (numbers, booleans, objects); anything else stays a string."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def from_environment(environ=os.environ) -> dict:
    return {key[len(ENV_PREFIX):]: _parse(value) for key, value in environ.items()
            if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX)}


def load_secret_key(instance_path: str) -> str:
    """A per-installation secret kept in ``instance/secret_key`` so sessions and QR tokens survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
