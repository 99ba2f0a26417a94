"""The read-only API for DIPRES and the Secretaría (``/api/v1/``) and the personal tokens
that open it: JSON with the same authorization as the web pages, documented by an OpenAPI
document generated from the code."""
