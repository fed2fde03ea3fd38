"""WSGI entry point: ``gunicorn wsgi:app``."""

from inspect_loop import create_app

app = create_app()
