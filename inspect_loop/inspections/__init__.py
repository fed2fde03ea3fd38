"""Inspections (检查), their findings (隐患问题), plans for unannounced visits, photos, rectification reports."""
