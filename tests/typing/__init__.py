"""Static typing as users see it: files checked by ``mypy --strict`` from a test."""
