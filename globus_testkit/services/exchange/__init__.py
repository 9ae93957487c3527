"""Academy's hosted exchange (``exchange.academy-agents.org``): mailboxes
owned by Globus identities, message queues, agent discovery, heartbeats and
statistics, authenticated by the emulated Globus Auth.

``models`` holds the state and the rules; ``routes`` the HTTP surface that
academy's ``AcademyGlobusClient`` talks to.
"""
