"""The two ways requests reach the emulator: in-process and loopback."""
