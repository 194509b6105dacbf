"""The oracle's Python leg: the JS oracle's case table through the Python client."""
