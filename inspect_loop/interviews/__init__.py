"""Warning interview rounds (约谈轮次) at the warning-education station (平安警示教育站)."""
