"""inspect_loop: the 一次提醒、二次警示、三次执法 hazard-inspection closed loop."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from inspect_loop import config
from inspect_loop.caching.store import init_store
from inspect_loop.db import db
from inspect_loop.extensions import babel, csrf, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.config.from_mapping(config.default_config(app.instance_path))
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.load_secret_key(app.instance_path)

    if config.is_loopback_url(app.config["BASE_URL"]) and not app.config["TESTING"]:
        app.logger.warning(config.LOOPBACK_BASE_URL_WARNING, app.config["BASE_URL"])

    if app.config["PROXY_COUNT"]:
        proxies = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from inspect_loop import models  # noqa: F401  (registers every table before migrations look)
    from inspect_loop.caching import versions  # noqa: F401  (every writing transaction raises the data version)
    from inspect_loop.letters import notices  # noqa: F401  (the notices subscribe to the loop's events)
    from inspect_loop.watch_list import rules  # noqa: F401  (the 重点监管名单's entries subscribe to them too)

    db.init_app(app)
    init_store(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    from inspect_loop.web import init_web
    from inspect_loop.web.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from inspect_loop.blueprints import register_blueprints
    from inspect_loop.cli import register_cli

    register_blueprints(app)
    init_web(app)
    register_cli(app)
    return app
