from __future__ import annotations

import globus_sdk
import pytest

SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"


@pytest.fixture
def search_for(globus_emulator):
    """A SearchClient for ``identity`` (the world's user by default)."""

    def make(identity=None, scopes: str = SEARCH_ALL) -> globus_sdk.SearchClient:
        token = globus_emulator.auth.issue_token(identity or globus_emulator.user, scopes)
        return globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))

    return make


@pytest.fixture
def sc(search_for):
    return search_for()


def entry(subject: str, content: dict, visible_to=("public",), entry_id=None) -> dict:
    document = {"subject": subject, "visible_to": list(visible_to), "content": content}
    if entry_id is not None:
        document["id"] = entry_id
    return document


def gmeta_list(*entries: dict) -> dict:
    return {"ingest_type": "GMetaList", "ingest_data": {"gmeta": list(entries)}}


DATASETS = [
    entry(
        f"https://example.org/ds/{n}",
        {
            "title": title,
            "size": size,
            "published": published,
            "keywords": keywords,
            "creator": {"name": creator},
        },
    )
    for n, (title, size, published, keywords, creator) in enumerate(
        [
            ("Ocean temperature survey", 120, "2019-05-01", ["ocean", "climate"], "Ada"),
            ("Arctic ice thickness", 80, "2020-02-11", ["ice", "climate"], "Grace"),
            ("Ocean salinity map", 45, "2020-08-30", ["ocean"], "Ada"),
            ("Forest canopy lidar", 300, "2021-01-15", ["forest", "lidar"], "Edsger"),
            ("Desert dust storms", 10, "2022-06-06", ["desert", "climate"], "Barbara"),
        ]
    )
]


@pytest.fixture
def datasets(globus_emulator):
    """An index of five public datasets, owned by the world's user."""
    return globus_emulator.search.create_index("Datasets", entries=DATASETS)


def subjects(result) -> list[str]:
    return [g["subject"].rsplit("/", 1)[1] for g in result["gmeta"]]
