"""Globus Groups, as far as Auth and action providers need it."""
