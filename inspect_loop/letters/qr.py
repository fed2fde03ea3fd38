"""The QR code printed on every notice."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

# Pixels per module. The stylesheet sets the printed width (at least 25 mm); the pixel count only has to
# keep module edges sharp when the image is scaled, and PNG compresses the solid runs to almost nothing.
MODULE_PIXELS = 8
# The quiet zone the QR specification requires around the symbol, in modules.
QUIET_ZONE_MODULES = 4


def qr_png(url: str) -> bytes:
    """A black-and-white PNG of ``url``, error correction level Q (a quarter of the symbol may be soiled
    or creased, as paper notices are)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=MODULE_PIXELS, border=QUIET_ZONE_MODULES)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
