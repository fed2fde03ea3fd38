"""The web pages for every role (Chinese by default).

``init_web(app)`` (called from ``create_app``) applies the security headers and cookie settings and the
template helpers; the page modules below register their routes on ``bp``.
"""

from flask import Blueprint, Flask, request, url_for

from inspect_loop.web.arguments import link_arguments, refuse_ids_beyond_any_row

bp = Blueprint("web", __name__)
bp.url_value_preprocessor(refuse_ids_beyond_any_row)


def page_url(page: int, arg: str = "page") -> str:
    """The current page with another ``?page=``, keeping search and filters."""
    return url_for(request.endpoint, **link_arguments(**{arg: page}))


def init_web(app: Flask) -> None:
    from inspect_loop.caching.pages import serve_kept_page
    from inspect_loop.web.auth import role_name
    from inspect_loop.web.formatting import FILTERS
    from inspect_loop.web.helpers import is_english
    from inspect_loop.web.i18n import install_page_gettext, language_switch_url, remember_choice
    from inspect_loop.web.labels import event_label, label, options
    from inspect_loop.web.navigation import menu_for
    from inspect_loop.web.posted_text import refuse_unwanted_characters
    from inspect_loop.web.security import init_security

    init_security(app)
    app.before_request(refuse_unwanted_characters)
    app.before_request(remember_choice)
    app.before_request(serve_kept_page)  # last: after the checks of every request
    app.jinja_env.globals.update(is_english=is_english, role_name=role_name, menu_for=menu_for,
                                 page_url=page_url, link_arguments=link_arguments,
                                 language_switch_url=language_switch_url,
                                 label=label, event_label=event_label, enum_options=options)
    app.jinja_env.filters.update(FILTERS)
    install_page_gettext(app)


from inspect_loop.web import (  # noqa: E402,F401  (the page modules register their routes on bp)
    admin,
    auth,
    dashboard,
    errors,
    exports,
    exposure_pages,
    extension_pages,
    imports,
    inbox,
    inspector,
    office,
    referral_inbox,
    service_pages,
    training_pages,
    unit_ledger,
    units,
    uploads,
    watch_list_pages,
)
