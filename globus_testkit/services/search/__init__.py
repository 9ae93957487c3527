"""Globus Search: indexes, roles, ingest and delete tasks on the clock,
queries (simple and Lucene-style advanced), facets and visibility."""
