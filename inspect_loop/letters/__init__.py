"""Official notices (文书): numbering, rendering to PDF, QR verification."""
