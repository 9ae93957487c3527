"""The world under concurrent load over the live server: no lost or
duplicated writes, no torn reads, no errors."""

from __future__ import annotations

import base64
import threading
from collections import Counter

import requests

THREADS = 8
ROUNDS = 40  # each round: a grant, a read and a write


def test_concurrent_mixed_requests_keep_counts_consistent(globus_emulator, globus_server):
    auth = globus_server.service_url("auth")
    account = globus_emulator.service_account
    basic = base64.b64encode(f"{account.client_id}:{account.client_secret}".encode()).decode()
    manage = globus_emulator.auth.issue_token(
        globus_emulator.user, "urn:globus:auth:scope:auth.globus.org:manage_projects"
    )
    tokens_before = len(globus_emulator.world.auth.tokens)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def worker(number: int) -> None:
        session = requests.Session()
        for round_ in range(ROUNDS):
            grant = session.post(
                f"{auth}v2/oauth2/token",
                data={"grant_type": "client_credentials", "scope": "openid"},
                headers={"Authorization": f"Basic {basic}"},
                timeout=30,
            )
            token = grant.json()["access_token"]
            me = session.get(
                f"{auth}v2/oauth2/userinfo",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            project = session.post(
                f"{auth}v2/api/projects",
                json={"project": {"display_name": f"p{number}-{round_}", "contact_email": "a@b.c"}},
                headers={"Authorization": f"Bearer {manage}"},
                timeout=30,
            )
            with lock:
                outcomes[f"grant {grant.status_code}"] += 1
                outcomes[f"userinfo {me.status_code} {me.json()['sub'] == account.client_id}"] += 1
                outcomes[f"project {project.status_code}"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = THREADS * ROUNDS
    assert outcomes == Counter(
        {"grant 200": total, "userinfo 200 True": total, "project 200": total}
    )
    assert len(globus_emulator.world.auth.tokens) == tokens_before + total
    names = [p.display_name for p in globus_emulator.world.auth.projects.values()]
    assert len(names) == len(set(names)) == total
    assert len(globus_emulator.journal.calls("auth")) == 3 * total
