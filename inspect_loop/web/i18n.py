"""The page language: Chinese (zh_CN) unless the user chose English with ``?lang=en`` (kept in the session)."""

from flask import has_request_context, request, session, url_for

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
