"""Globus Transfer: collections, file trees, tasks on the virtual clock."""
