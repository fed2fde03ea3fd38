"""Flask extensions, created without an app and bound in ``create_app``."""

import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def retry_after_header() -> dict[str, str]:
    """For a request a rate limit refused (429): ``Retry-After``, the seconds until that limit lets the client
    in again, so a script or a phone retries then instead of at once."""
    refused_by = limiter.current_limit
    if refused_by is None:
        return {}
    return {"Retry-After": str(max(1, int(refused_by.reset_at - time.time())))}
