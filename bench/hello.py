"""The ceiling for ``bench/pages.py``: the smallest Flask app, served by the same gunicorn as the real one, so
that a page's share of it says what the page itself costs on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
