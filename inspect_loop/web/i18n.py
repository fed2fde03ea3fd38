"""The page language: Chinese (zh_CN) unless the user chose English with ``?lang=en`` (kept in the session).

Pages call ``_()`` hundreds of times; Flask-Babel's own template callables look the request's catalogue up
again on every call (about ten context-local lookups and the locale's name). ``page_catalogue`` keeps it
for the request instead, where Flask-Babel keeps its per-request state, so ``refresh()`` and
``force_locale()`` (which reset that slot) still change the language at once.
"""

from babel.support import NullTranslations
from flask import Flask, has_request_context, request, session, url_for
from flask_babel import _get_current_context, get_translations

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
    outside any context Flask-Babel's answer (no translation)."""
    babel_state = _get_current_context()
    if babel_state is None:
        return get_translations()
    catalogue = getattr(babel_state, "babel_translations", None)
    if catalogue is None:
        catalogue = babel_state.babel_translations = get_translations()
    return catalogue


def page_gettext(message: str) -> str:
    return page_catalogue().ugettext(message)


def page_ngettext(singular: str, plural: str, n: int) -> str:
    return page_catalogue().ungettext(singular, plural, n)


def page_pgettext(context: str, message: str) -> str:
    return page_catalogue().upgettext(context, message)


def page_npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return page_catalogue().unpgettext(context, singular, plural, n)


def install_page_gettext(app: Flask) -> None:
    """The templates' ``_``, ``gettext``, ``ngettext``… through ``page_catalogue`` (after ``babel.init_app``,
    which installs its own). ``_`` is bound to the translating function itself rather than to Jinja's alias,
    which would look ``gettext`` up in the template context on every call."""
    app.jinja_env.install_gettext_callables(gettext=page_gettext, ngettext=page_ngettext, newstyle=True,
                                            pgettext=page_pgettext, npgettext=page_npgettext)
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]
