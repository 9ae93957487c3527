"""Globus Compute: endpoints that run functions in local worker processes."""
