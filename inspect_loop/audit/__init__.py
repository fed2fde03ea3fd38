"""The append-only audit log (操作日志)."""
