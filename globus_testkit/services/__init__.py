"""The emulated Globus services, one package each."""
