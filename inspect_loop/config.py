"""Configuration: defaults, then ``INSPECT_LOOP_*`` environment variables, then ``test_config``."""

import ipaddress
import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ENV_PREFIX = "INSPECT_LOOP_"


def default_config(instance_path: str) -> dict:
    return {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "inspect_loop.sqlite"),
        # No ping at every checkout: a connection idle for a while is pinged instead (db.py), which spares a
        # round trip per request to a database that is busy serving it.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
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
        # Pages and API answers served again until the data changes (inspect_loop/caching): how long an entry
        # lives at most (0 turns the cache off), the memory each process gives it, and Redis shared by every
        # app machine when set (e.g. redis://127.0.0.1:6379/0).
        "PAGE_CACHE_SECONDS": 60,
        "CACHE_MEMORY_BYTES": 64 * 1024 * 1024,
        "CACHE_REDIS_URL": "",
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


LOOPBACK_BASE_URL_WARNING = ("BASE_URL is %s, a loopback address: every notice issued outside the demo prints it "
                             "in its QR code and verification line for good, and no phone can open it. Set "
                             "INSPECT_LOOP_BASE_URL to the address the public reaches before issuing notices.")


def is_loopback_url(url: str) -> bool:
    """True when ``url`` names this machine only (127.0.0.0/8, ::1, localhost): fine for the demo, wrong
    for anything printed on a notice, whose QR code is scanned on someone else's phone."""
    host = (urlsplit(str(url)).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
