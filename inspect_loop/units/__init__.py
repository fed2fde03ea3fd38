"""Inspected units (被检查单位 / 场所)."""
