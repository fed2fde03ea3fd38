"""Administrative regions (行政区划) and departments (部门)."""
