"""Globus Timers: timers that run Transfer tasks and flows on the world's clock."""
