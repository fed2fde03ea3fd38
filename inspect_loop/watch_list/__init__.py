"""The 重点监管名单 (watch list) of units: entered by the operations whose events make a unit one to watch,
left by the county office's decision after a clean period (``docs/decisions.md``, The watch list)."""
