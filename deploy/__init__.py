"""Deployment: the Dockerfile and its boot script, and the local stack (`make run`, and the tests)."""
