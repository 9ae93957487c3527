"""Globus Transfer: collections, file trees, tasks on the virtual clock."""

# Transfer's public surface as its callers inside the emulator (Timers'
# runs, the hosted Transfer action providers) address it: one definition.
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_API = "https://transfer.api.globus.org/v0.10"
