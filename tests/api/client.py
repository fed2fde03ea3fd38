"""Calling the JSON API as a client does: bearer tokens, a frozen clock per request, checked answers."""

from tests.helpers import at


class Api:
    """``api.post("/cases/1/escalate", "office", json={...})``; paths are relative to /api/v1.

    ``day`` (YYYY-MM-DD) freezes the clock for the request at 10:00 local time, or ``hour``.
    """

    def __init__(self, client, tokens: dict[str, str]):
        self.client = client
        self.tokens = tokens

    def request(self, method: str, path: str, who: str | None = None, *, json=None, query=None, day=None,
                hour=10, token=None):
        headers = {}
        token = token or (self.tokens[who] if who else None)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = "/api/v1" + path

        def send():
            return self.client.open(url, method=method, headers=headers, json=json, query_string=query)

        if day is None:
            return send()
        with at(day, hour):
            return send()

    def get(self, path, who=None, **options):
        return self.request("GET", path, who, **options)

    def post(self, path, who=None, **options):
        return self.request("POST", path, who, **options)

    def patch(self, path, who=None, **options):
        return self.request("PATCH", path, who, **options)


def ok(response, status=200):
    """The JSON body of a response that must have ``status``; the error is shown when it has not."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:800])
    return response.get_json()


def refused(response, status: int, field: str | None = None, code: str | None = None):
    """The error of a response that must be refused with ``status`` (and name ``field``)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:800])
    error = response.get_json()["error"]
    assert error["message"] and error["message_en"]
    if field is not None:
        assert error.get("field") == field, error
    if code is not None:
        assert error["code"] == code, error
    return error
