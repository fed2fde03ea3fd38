"""Enforcement actions (三次执法): joint enforcement, fines, suspension, shutdown, ban."""
