"""Test sessions: one per environment the real clients need.

``python -m nox`` runs them all (the README's test command, and CI's).
Every test session runs the suite twice: in-process and over the live
loopback server.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [
    "lint",
    "sdk4",
    "sdk3",
    "toolkit",
    "automate",
    "cli",
    "academy",
    "compute",
    "package",
    "bench",
    "docs",
]

MUTMUT = "mutmut==3.8.1"
SDK4 = "globus-sdk==4.10.0"  # the newest: what `pip install .` gets users
SDK3 = "globus-sdk==3.65.0"  # what globus-action-provider-tools 0.21 needs
CLI = "globus-cli==3.44.0"  # the newest; it pins globus-sdk==4.9.0 exactly
ACADEMY = "academy-py==1.0.0"
COMPUTE = "globus-compute-sdk==4.19.0"  # it pins its own globus-sdk
ACADEMY_TESTS = (
    "tests/test_academy_exchange.py",
    "tests/test_academy_exchange_parity.py",  # against academy's own exchange server
    "tests/test_academy_self_hosted.py",  # academy's server, authenticating with the emulator
)
# Docs pages whose examples use globus-action-provider-tools (they skip
# elsewhere): the toolkit session runs them.
TOOLKIT_DOCS = (
    "docs/providers.md",
    "docs/fixtures/globus_actions.md",
    "docs/fixtures/globus_check_provider.md",
)
TRANSPORTS = ("inprocess", "server")
# The broker Compute publishes results to for the Executor tests (.ci/install-rabbitmq
# starts it in CI; elsewhere, without one answering, those tests skip).
LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/%2F"


def run_suite(session: nox.Session, *extra: str) -> None:
    """pytest in each transport, with ``extra`` arguments (paths, options)."""
    for transport in TRANSPORTS:
        session.run(
            "python",
            "-m",
            "pytest",
            "-q",
            f"--globus-transport={transport}",
            *extra,
            *session.posargs,
        )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict over the package."""
    session.install("-e", ".[test]", SDK4)
    linted = ("globus_testkit", "tests", "benchmarks", "conftest.py", "noxfile.py")
    session.run("ruff", "check", *linted)
    session.run("ruff", "format", "--check", *linted)
    session.run("mypy")


@nox.session
def sdk4(session: nox.Session) -> None:
    """The suite against globus-sdk 4.x, spread over two workers with
    pytest-xdist (worlds are per test, so tests never share state)."""
    session.install("-e", ".[test]", SDK4)
    run_suite(session, "-n", "2")


@nox.session
def sdk3(session: nox.Session) -> None:
    """The suite against globus-sdk 3.x, on two workers like sdk4. The
    hardening tests speak raw HTTP to the emulator whatever the SDK, so
    they run once, in sdk4, keeping CI's time down."""
    session.install("-e", ".[test]", SDK3)
    run_suite(session, "-n", "2", "--ignore=tests/hardening")


@nox.session
def toolkit(session: nox.Session) -> None:
    """Provider authors' features with globus-action-provider-tools 0.21
    (which needs globus-sdk<4, pydantic<2 and flask<3), both transports."""
    session.install(
        "-e", ".[test]", SDK3, "globus-action-provider-tools==0.21.0", "flask<3", "pydantic<2"
    )
    run_suite(session, "tests/providers")
    run_suite(session, "--markdown-docs", *TOOLKIT_DOCS)


@nox.session
def automate(session: nox.Session) -> None:
    """globus-automate-client 0.18 (the last working release; it pins
    globus-sdk<4 and jsonschema<4), both transports."""
    # its command line needs click<8.2 (8.2 refuses its flag declarations)
    session.install("-e", ".", "globus-automate-client==0.18.0", "click<8.2", "pytest")
    run_suite(session, "tests/automate")


@nox.session
def cli(session: nox.Session) -> None:
    """The real `globus` command against the live server (globus-cli 3.44,
    with the globus-sdk 4.9.0 it pins), and through proxy mode (GCS manager
    hosts, `globus ls`)."""
    session.install("-e", ".[test]", CLI)
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-n",
        "2",
        "tests/cli",
        "tests/gcs/test_globus_cli_gcs.py",
        "tests/proxy/test_proxy_mode.py",
        *session.posargs,
    )


@nox.session
def academy(session: nox.Session) -> None:
    """academy-py 1.0's Globus exchange (agents launched through the
    emulated exchange and Auth), both transports."""
    session.install("-e", ".[test]", SDK4, ACADEMY)
    run_suite(session, *ACADEMY_TESTS)


@nox.session
def compute(session: nox.Session) -> None:
    """Globus Compute through globus-compute-sdk's Client (functions run in
    the emulator's worker processes with its serializers) and its Executor
    (results over AMQP, from a local RabbitMQ), both transports."""
    session.install("-e", ".[test]", COMPUTE)
    amqp_url = os.environ.get("GLOBUS_TESTKIT_AMQP_URL", LOCAL_RABBITMQ)
    run_suite(session, "tests/compute", f"--globus-amqp-url={amqp_url}")


@nox.session
def package(session: nox.Session) -> None:
    """The built wheel works on its own: fixtures inside, plugin registered."""
    session.install("build")
    tmp = session.create_tmp()
    session.run("python", "-m", "build", "--wheel", "--outdir", tmp, silent=True)
    session.install("--force-reinstall", *_wheels(tmp), SDK4)
    session.chdir(tmp)
    session.run(
        "python",
        "-c",
        "import globus_testkit, pathlib;"
        "from globus_testkit import Emulator;"
        "assert 'site-packages' in globus_testkit.__file__;"
        "assert (pathlib.Path(globus_testkit.__file__).parent / 'fixtures').is_dir();"
        "e = Emulator(); print('wheel ok:', e.user.username)",
    )
    session.run(
        "python",
        "-c",
        "from importlib.metadata import entry_points;"
        "[plugin] = [e for e in entry_points(group='pytest11') if e.name == 'globus_testkit'];"
        "plugin.load(); print('pytest11 entry point ok')",
    )


def _wheels(folder: str) -> list[str]:
    import glob

    return glob.glob(f"{folder}/*.whl")


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing of the core models with mutmut (see docs/testing.md).

    Not in the default sessions: a full run takes hours on two cores. Give
    mutant name globs to run a part, e.g.
    ``nox -s mutation -- "globus_testkit.faults*" "globus_testkit.journal*"``.
    It ends listing every surviving mutant; a survivor in a documented
    behaviour is a missing test.
    """
    session.install("-e", ".[test]", SDK4, MUTMUT)
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    session.run("mutmut", "results")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks in smoke mode: they run, nothing is timed against a goal."""
    session.install("-e", ".", SDK4, COMPUTE)  # COMPUTE: the Compute line
    session.run("python", "benchmarks/bench.py", *(session.posargs or ["--quick"]))
    if not session.posargs:  # the busy-world probe still runs (one other user, a few calls)
        session.run("python", "benchmarks/busy_sweep.py", "--others", "1", "--only", "get_group")


@nox.session
def docs(session: nox.Session) -> None:
    """Docs that run and a site that builds: every ```python block of
    README.md and docs/ runs as written (pytest-markdown-docs; blocks that
    define tests run as tests, in both transports), then the mkdocs site
    is built with --strict. Blocks needing globus-action-provider-tools
    skip here and run in the toolkit session."""
    session.install("-e", ".[test,docs]", SDK4, ACADEMY)
    run_suite(session, "--markdown-docs", "README.md", "docs")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        session.create_tmp() + "/site",
        env={"NO_MKDOCS_2_WARNING": "1"},  # Material's banner about its future, not ours
    )
