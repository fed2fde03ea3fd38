"""Every blueprint of the application, registered in one place."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from inspect_loop.api import bp as api
    from inspect_loop.exposures.views import bp as public_exposures
    from inspect_loop.letters.views import bp as verification
    from inspect_loop.web import bp as web

    app.register_blueprint(api)
    app.register_blueprint(verification)
    app.register_blueprint(web)
    app.register_blueprint(public_exposures)
