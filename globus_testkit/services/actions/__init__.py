"""Action providers: hosted ones, and users' own providers mounted in."""
