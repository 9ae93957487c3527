"""``globus-testkit``: the emulator from the command line.

``globus-testkit serve`` prints shell ``export`` lines that point globus-sdk,
globus-cli and other clients at a loopback server, then serves until
interrupted.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from .emulator import Emulator
from .journal import DEFAULT_MAX_ENTRIES as DEFAULT_JOURNAL_SIZE
from .transports.server import DEFAULT_READ_TIMEOUT
from .workers import DEFAULT_WORKERS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="globus-testkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run a local emulated Globus")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--world", help="a world file (JSON or YAML)")
    serve.add_argument("--seed", default="0", help="seed for ids and fake data")
    serve.add_argument("--lenient", action="store_true", help="accept any bearer token")
    serve.add_argument(
        "--state",
        help="a state file: loaded at start if it exists, saved on exit (SIGINT/SIGTERM)",
    )
    serve.add_argument(
        "--journal-size",
        type=_positive_int,
        default=DEFAULT_JOURNAL_SIZE,
        help=f"journal entries to keep, newest first (default {DEFAULT_JOURNAL_SIZE:,})",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=DEFAULT_WORKERS,
        help=f"requests served at once; more wait their turn (default {DEFAULT_WORKERS})",
    )
    serve.add_argument(
        "--read-timeout",
        type=_positive_float,
        default=DEFAULT_READ_TIMEOUT,
        help=f"seconds a client may stay silent before its connection is closed "
        f"(default {DEFAULT_READ_TIMEOUT:g})",
    )
    serve.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="let non-loopback peers use the /_testkit/ control plane",
    )
    check = commands.add_parser(
        "check-provider", help="check an action provider against the Action Provider Interface"
    )
    check.add_argument("url", help="the provider's URL")
    check.add_argument("--token", required=True, help="a token the provider should accept")
    check.add_argument("--body", required=True, help="a valid run body, as JSON")
    check.add_argument("--token-without-scope", help="a valid token lacking the provider's scope")
    check.add_argument("--outsider-token", help="a token for an identity outside monitor_by")
    check.add_argument("--invalid-body", help="a run body violating the input schema, as JSON")
    check.add_argument("--max-wait", type=float, default=10.0)
    record = commands.add_parser(
        "record", help="proxy a client's traffic to Globus (or another emulator), writing fixtures"
    )
    record.add_argument(
        "--upstream",
        required=True,
        help="'globus' for the real services, or a server laid out like `serve`'s",
    )
    record.add_argument("--out", default="recordings", help="folder for <service>.json files")
    record.add_argument("--host", default="127.0.0.1")
    record.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "check-provider":
        return run_check(args)
    if args.command == "record":
        return run_record(args)
    return run_serve(args)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 1e6:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


def run_record(args: argparse.Namespace) -> int:
    """Serve the recording proxy until interrupted, printing the variables
    that send globus-sdk (and globus-cli) through it."""
    from werkzeug.serving import make_server

    from .recording import Recorder, proxy_app
    from .transports.server import ENVIRONMENT_NAME, SDK_SERVICE_NAMES, _QuietHandler

    recorder = Recorder(Path(args.out))
    server = make_server(
        args.host,
        args.port,
        proxy_app(args.upstream, recorder),
        threaded=True,
        request_handler=_QuietHandler,
    )
    url = f"http://{args.host}:{server.socket.getsockname()[1]}"
    for name in SDK_SERVICE_NAMES:
        print(f"export GLOBUS_SDK_SERVICE_URL_{name.upper()}={url}/{name}/")
    print(f"export GLOBUS_SDK_ENVIRONMENT={ENVIRONMENT_NAME}", flush=True)
    print(f"# recording to {args.out}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.shutdown()
    return 0


def run_check(args: argparse.Namespace) -> int:
    import json

    from .conformance import check_action_provider

    report = check_action_provider(
        args.url,
        token=args.token,
        body=json.loads(args.body),
        token_without_scope=args.token_without_scope,
        outsider_token=args.outsider_token,
        invalid_body=json.loads(args.invalid_body) if args.invalid_body else None,
        max_wait=args.max_wait,
    )
    print(report)
    return 0 if report.passed else 1


def env_block(emulator: Emulator, env: dict[str, str]) -> str:
    """Shell lines that point Globus clients at the server."""
    account = emulator.service_account
    variables = {
        **env,
        "GLOBUS_CLI_CLIENT_ID": account.client_id,
        "GLOBUS_CLI_CLIENT_SECRET": account.client_secret,
        "GLOBUS_TESTKIT_NATIVE_CLIENT_ID": emulator.native_client_id,
        "GLOBUS_TESTKIT_USER": emulator.user.username,
    }
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in variables.items())


def run_serve(args: argparse.Namespace) -> int:
    # Ready for signals before anything is announced: a SIGTERM the moment
    # the export lines appear must still stop cleanly and save --state.
    stopped = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    seed: int | str = int(args.seed) if str(args.seed).isdigit() else args.seed
    emulator = Emulator(
        seed=seed, world=args.world, strict=not args.lenient, journal_size=args.journal_size
    )
    emulator.control_loopback_only = not args.allow_remote_control
    state = Path(args.state) if args.state else None
    if state is not None and state.exists():
        emulator.load_state(state)
        print(f"# loaded the world from {state}", file=sys.stderr)
    server = emulator.serve(
        host=args.host, port=args.port, workers=args.workers, read_timeout=args.read_timeout
    )
    print(env_block(emulator, server.env), flush=True)
    print(
        f"# globus-testkit serving on {server.url} (health: {server.url}/_testkit/health; "
        "Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    stopped.wait()
    # Stop taking requests first, so the saved world is the final one.
    emulator.stop()
    if state is not None:
        emulator.save_state(state)
        print(f"# saved the world to {state}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
