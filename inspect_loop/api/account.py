"""The signed-in user: who the token belongs to and what that user may do."""

from inspect_loop.api import responses as out
from inspect_loop.api.routing import EVERY_SIGNED_IN_USER, route
from inspect_loop.api.serialize import me_out


@route("GET", "/me", summary="当前用户及其权限", permission=EVERY_SIGNED_IN_USER, response=out.MeOut)
def get_me(actor):
    return me_out(actor)
