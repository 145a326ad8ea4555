"""Tender Hall: `app.core` is the ground floor; the rest of `app/` is the roof (factory, portal,
admin, supervision, demo, launcher), the only code that may import every floor."""
