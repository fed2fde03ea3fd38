"""The page language: Chinese (zh_CN) unless the user chose English with ``?lang=en`` (kept in the session)."""

from flask import request, session, url_for

SUPPORTED = ("zh_CN", "en")
DEFAULT = "zh_CN"


def select_locale() -> str:
    chosen = request.args.get("lang") if request else None
    if chosen in SUPPORTED:
        session["lang"] = chosen
        return chosen
    if chosen == "zh":
        session["lang"] = DEFAULT
        return DEFAULT
    return session.get("lang", DEFAULT) if session.get("lang") in SUPPORTED else DEFAULT


def language_switch_url() -> str:
    """This page again in the other language."""
    other = DEFAULT if session.get("lang") == "en" else "en"
    arguments = {**request.view_args, **request.args.to_dict(), "lang": other} if request.endpoint else {"lang": other}
    return url_for(request.endpoint or "web.index", **arguments)
