"""The page language: Chinese (zh_CN) unless the user chose English with ``?lang=en`` (kept in the session).

Pages translate hundreds of texts (templates' ``_()``, the views' ``gettext``, lazy labels); Flask-Babel
looks the request's catalogue up again for each (about ten context-local lookups and the locale's name).
``page_catalogue`` keeps it for the request instead, in the slot of Flask-Babel's per-request state that
``refresh()`` and ``force_locale()`` reset, so they still change the language at once. The app has one
message domain (``messages``).
"""

from babel.support import NullTranslations
from flask import Flask, has_request_context, request, session, url_for
from flask_babel import Domain, _get_current_context, get_babel, get_domain
from jinja2 import pass_eval_context
from markupsafe import Markup

from inspect_loop.web.arguments import link_arguments

SUPPORTED = ("zh_CN", "en")
DEFAULT = "zh_CN"


def remember_choice() -> None:
    """Keep ``?lang=`` in the session on every request, also one that only redirects (``/?lang=en``)."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED:
        session["lang"] = chosen
    elif chosen == "zh":
        session["lang"] = DEFAULT


def select_locale() -> str:
    if not has_request_context():  # a command or a job outside any request: the default language
        return DEFAULT
    remember_choice()
    return session["lang"] if session.get("lang") in SUPPORTED else DEFAULT


def language_switch_url() -> str:
    """This page again in the other language."""
    other = DEFAULT if session.get("lang") == "en" else "en"
    arguments = link_arguments(lang=other) if request.endpoint else {"lang": other}
    return url_for(request.endpoint or "web.index", **arguments)


def page_catalogue() -> NullTranslations:
    """The translations of this request's language, looked up once per request (application context);
    outside any context no translation, as Flask-Babel gives."""
    babel_state = _get_current_context()
    if babel_state is None:
        return NullTranslations()
    catalogue = getattr(babel_state, "babel_translations", None)
    if catalogue is None:
        catalogue = babel_state.babel_translations = Domain.get_translations(get_domain())
    return catalogue


class RequestDomain(Domain):
    """Flask-Babel's message domain with ``page_catalogue``: the views' ``gettext`` and the lazy texts
    (``lazy_gettext``) translate through it."""

    def get_translations(self) -> NullTranslations:
        return page_catalogue()


def page_gettext(message: str) -> str:
    return page_catalogue().ugettext(message)


def page_ngettext(singular: str, plural: str, n: int) -> str:
    return page_catalogue().ungettext(singular, plural, n)


@pass_eval_context
def template_gettext(eval_context, message: str, **variables) -> str:
    """The templates' ``_()``: what Jinja's newstyle ``gettext`` does (a template's text is markup, so its
    variables are escaped, and it is always a format string), without calling through the template
    context a second time."""
    text = page_catalogue().ugettext(message)
    if eval_context.autoescape:
        text = Markup(text)
    return text % variables


def install_page_gettext(app: Flask) -> None:
    """Translation through ``page_catalogue`` for the views and the templates (after ``babel.init_app``,
    which installs Flask-Babel's own template callables)."""
    babel = get_babel(app)
    babel.instance.domain_instance = RequestDomain(domain=babel.default_domain)
    app.jinja_env.install_gettext_callables(gettext=page_gettext, ngettext=page_ngettext, newstyle=True)
    # Jinja's ``_`` looks ``gettext`` up in the template context on every call.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
