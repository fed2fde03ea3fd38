"""The public verification page of a document's QR code."""

from flask import Blueprint

bp = Blueprint("verification", __name__)
