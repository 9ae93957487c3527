"""``globus-testkit``: the emulator from the command line.

``globus-testkit serve`` prints shell ``export`` lines that point globus-sdk,
globus-cli and other clients at a loopback server, then serves until
interrupted. Bad input (a missing world file, a port out of range, JSON
that does not parse...) ends with one line on stderr and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .journal import DEFAULT_MAX_ENTRIES as DEFAULT_JOURNAL_SIZE
from .transports.server import DEFAULT_READ_TIMEOUT
from .workers import DEFAULT_WORKERS

USAGE_ERROR = 2
PORT_HELP = "the port to listen on; 0, the default, picks a free one"
CHECK_SKIPPED = "(default: none, and that check is skipped)"


class CliError(Exception):
    """Bad input from the command line: one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        command: Callable[[argparse.Namespace], int] = args.run
        return command(args)
    except CliError as err:
        print(f"globus-testkit {args.command}: error: {err}", file=sys.stderr)
        return USAGE_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="globus-testkit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"globus-testkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve(commands)
    _add_wait(commands)
    _add_world_schema(commands)
    _add_check_provider(commands)
    _add_record(commands)
    return parser


class _DefaultsShown(argparse.HelpFormatter):
    """Help that ends with each option's default, where it has one (flags
    and optional values say what their absence means in their own words)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            help_text += " (default: %(default)s)"
        return help_text


def _command(commands: Any, name: str, help: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, formatter_class=_DefaultsShown
    )
    return parser


def _add_serve(commands: Any) -> None:
    serve = _command(commands, "serve", "run a local emulated Globus until interrupted")
    serve.set_defaults(run=run_serve)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=port_number, default=0, help=PORT_HELP)
    serve.add_argument(
        "--world",
        help="a world file (JSON, or YAML with PyYAML) added to the default world "
        "(default: the default world only)",
    )
    serve.add_argument("--seed", default="0", help="seed for ids and fake data")
    serve.add_argument(
        "--lenient", action="store_true", help="accept any bearer token (default: check them)"
    )
    serve.add_argument(
        "--state",
        help="a state file: loaded at start if it exists, saved on exit (SIGINT/SIGTERM) "
        "(default: none, the world is not kept)",
    )
    serve.add_argument(
        "--env-file",
        help="also write the export lines to this file, atomically, once listening "
        "(removed on exit); `globus-testkit wait FILE` prints it when the server answers "
        "(default: stdout only)",
    )
    serve.add_argument(
        "--proxy",
        action="store_true",
        help="also serve an HTTPS proxy that answers Globus's real hostnames, and print "
        "HTTPS_PROXY and CA-bundle variables instead of the service URLs (default: off)",
    )
    serve.add_argument("--proxy-port", type=port_number, default=0, help=PORT_HELP)
    serve.add_argument(
        "--proxy-passthrough",
        action="store_true",
        help="relay hosts the emulator does not serve instead of refusing them "
        "(default: off, they are refused)",
    )
    serve.add_argument(
        "--python-trust",
        action="store_true",
        help="with --proxy, also print PYTHONPATH=<a hook in the run's private directory> that "
        "makes Python programs pinning certifi's bundle (globus-automate-client) trust the "
        "run's CA; nothing installed is changed (default: off)",
    )
    serve.add_argument(
        "--journal-size",
        type=_positive_int,
        default=DEFAULT_JOURNAL_SIZE,
        help="journal entries to keep; older ones are dropped",
    )
    serve.add_argument(
        "--clock",
        choices=("wall", "frozen"),
        default="wall",
        help="wall: virtual time follows wall time, plus any advances, so polling "
        "clients see work finish; frozen: time moves only when advanced",
    )
    serve.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="URL=MODULE:FACTORY",
        help="mount an action provider app at URL, built by FACTORY(client_id, "
        "client_secret, scope); add ',keep_prefix' to give it the whole path",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=DEFAULT_WORKERS,
        help="requests served at once; more wait their turn",
    )
    serve.add_argument(
        "--read-timeout",
        type=_positive_float,
        default=DEFAULT_READ_TIMEOUT,
        help="seconds a client may stay silent before its connection is closed",
    )
    serve.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="let non-loopback peers, by any host name, use the /_testkit/ control plane; "
        "cross-site browser writes stay refused (default: loopback peers only)",
    )


def _add_wait(commands: Any) -> None:
    wait = _command(
        commands,
        "wait",
        "wait until `serve --env-file FILE` is answering, then print FILE's export lines",
    )
    wait.set_defaults(run=run_wait)
    wait.add_argument("env_file", metavar="FILE", help="the file given to `serve --env-file`")
    wait.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait before giving up"
    )


def _add_world_schema(commands: Any) -> None:
    schema = _command(
        commands, "world-schema", "print the JSON Schema that world descriptions must follow"
    )
    schema.set_defaults(run=run_world_schema)


def _add_check_provider(commands: Any) -> None:
    check = _command(
        commands,
        "check-provider",
        "check an action provider against the Action Provider Interface",
    )
    check.set_defaults(run=run_check)
    check.add_argument("url", type=http_url, help="the provider's URL (http or https)")
    check.add_argument("--token", required=True, help="a token the provider should accept")
    check.add_argument(
        "--body", required=True, type=json_object, help="a valid run body, as a JSON object"
    )
    check.add_argument(
        "--token-without-scope",
        help=f"a valid token lacking the provider's scope {CHECK_SKIPPED}",
    )
    check.add_argument(
        "--outsider-token",
        help=f"a token for an identity outside monitor_by {CHECK_SKIPPED}",
    )
    check.add_argument(
        "--invalid-body",
        type=json_object,
        help=f"a run body violating the input schema, as a JSON object {CHECK_SKIPPED}",
    )
    check.add_argument(
        "--max-wait", type=float, default=10.0, help="seconds to wait for an action to finish"
    )


def _add_record(commands: Any) -> None:
    record = _command(
        commands,
        "record",
        "proxy a client's traffic to Globus (or another emulator), writing fixtures",
    )
    record.set_defaults(run=run_record)
    record.add_argument(
        "--upstream",
        required=True,
        type=upstream_url,
        help="'globus' for the real services, or the http(s) URL of a server laid out "
        "like `serve`'s",
    )
    record.add_argument("--out", default="recordings", help="folder for <service>.json files")
    record.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    record.add_argument("--port", type=port_number, default=0, help=PORT_HELP)


# Argument types: each refuses bad input with one line argparse prints.


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


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (0-65535)")
    return port


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object ({...})")
    return value


def http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    try:
        parts.port  # noqa: B018 (parsing the port is the check)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} has an invalid port") from None
    return text


def upstream_url(text: str) -> str:
    if text == "globus":
        return text
    try:
        return http_url(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither 'globus' nor an http(s) URL"
        ) from None


# Commands


def run_serve(args: argparse.Namespace) -> int:
    from .emulator import Emulator

    if args.python_trust and not args.proxy:
        raise CliError("--python-trust needs --proxy")
    # Ready for signals before anything is announced: a SIGTERM the moment
    # the export lines appear must still stop cleanly and save --state.
    stopped = catch_stop_signals()
    seed: int | str = int(args.seed) if str(args.seed).isdigit() else args.seed
    try:
        emulator = Emulator(
            seed=seed,
            world=args.world,
            strict=not args.lenient,
            journal_size=args.journal_size,
            clock=args.clock,
        )
    except (OSError, ValueError) as err:
        raise CliError(f"--world {args.world}: {_reason(err)}") from None
    emulator.control_loopback_only = not args.allow_remote_control
    state = Path(args.state) if args.state else None
    if state is not None and state.exists():
        load_state(emulator, state)
        print(f"# loaded the world from {state}", file=sys.stderr)
    for spec in args.mount:
        mount_provider(emulator, spec)
    env_file = Path(args.env_file) if args.env_file else None
    if env_file is not None:
        env_file.unlink(missing_ok=True)  # never leave a stale one to be read
    check_can_listen(args.host, args.port)
    server = emulator.serve(
        host=args.host, port=args.port, workers=args.workers, read_timeout=args.read_timeout
    )
    variables = server.shell_env
    if args.proxy:
        check_can_listen(args.host, args.proxy_port)
        proxy = emulator.serve_proxy(
            host=args.host, port=args.proxy_port, passthrough=args.proxy_passthrough
        )
        # Clients keep their production URLs: no service URLs, just the proxy.
        variables = {k: v for k, v in variables.items() if k not in server.env}
        variables.pop("GLOBUS_AUTOMATE_FLOWS_ENDPOINT", None)
        variables.update(proxy.env)
        if args.python_trust:
            variables.update(proxy.python_trust_env)
        print(f"# proxy on {proxy.url}; CA bundle {proxy.bundle}", file=sys.stderr)
    block = env_block(variables)
    print(block, flush=True)
    if env_file is not None:
        write_atomically(env_file, block + "\n")
    print(
        f"# globus-testkit serving on {server.url} (health: {server.url}/_testkit/health; "
        "Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    wait_for_stop(stopped)
    # Stop taking requests first, so the saved world is the final one.
    emulator.stop()
    if env_file is not None:
        env_file.unlink(missing_ok=True)
    if state is not None:
        try:
            emulator.save_state(state)
        except OSError as err:
            raise CliError(f"--state {state}: cannot save the world ({_reason(err)})") from None
        print(f"# saved the world to {state}", file=sys.stderr)
    return 0


def mount_provider(emulator: Any, spec: str) -> None:
    """``--mount URL=MODULE:FACTORY[,keep_prefix]``."""
    url, _, factory = spec.partition("=")
    factory, _, option = factory.partition(",")
    try:
        mount = emulator.actions.mount_factory(url, factory, keep_prefix=option == "keep_prefix")
    except ValueError as err:
        raise CliError(f"--mount {spec}: {_reason(err)}") from None
    print(f"# mounted {mount.url} (scope {mount.scope})", file=sys.stderr)


def load_state(emulator: Any, state: Path) -> None:
    """Load a state file, turning any way it can be unreadable (empty,
    truncated, foreign, corrupt) into one line."""
    try:
        emulator.load_state(state)
    except Exception as err:  # a file from outside: every failure is bad input
        raise CliError(
            f"--state {state}: not a usable globus-testkit state file ({_reason(err)}); "
            "move it away to start afresh"
        ) from None


def run_wait(args: argparse.Namespace) -> int:
    """Wait for the env file, and for the server it names to answer."""
    import requests

    path = Path(args.env_file)
    deadline = time.monotonic() + args.timeout
    while True:
        text = _read_if_present(path)
        url = _exported(text, "GLOBUS_TESTKIT_URL") if text else None
        if url is not None:
            try:
                if requests.get(f"{url}/_testkit/health", timeout=2).ok:
                    print(text, end="", flush=True)
                    return 0
            except requests.RequestException:
                pass  # a stale file, or not answering yet
        if time.monotonic() >= deadline:
            raise CliError(f"no server answered through {path} within {args.timeout:g} s")
        time.sleep(0.05)


def run_world_schema(args: argparse.Namespace) -> int:
    from .worlds import world_schema

    print(json.dumps(world_schema(), indent=2))
    return 0


def run_check(args: argparse.Namespace) -> int:
    import requests

    from .conformance import check_action_provider

    try:
        report = check_action_provider(
            args.url,
            token=args.token,
            body=args.body,
            token_without_scope=args.token_without_scope,
            outsider_token=args.outsider_token,
            invalid_body=args.invalid_body,
            max_wait=args.max_wait,
        )
    except requests.RequestException as err:
        raise CliError(f"cannot reach {args.url}: {type(err).__name__}") from None
    print(report)
    return 0 if report.passed else 1


def run_record(args: argparse.Namespace) -> int:
    """Serve the recording proxy until interrupted, printing the variables
    that send globus-sdk (and globus-cli) through it."""
    from werkzeug.serving import make_server

    from .recording import Recorder, proxy_app
    from .transports.keepalive import KeepAliveHandler
    from .transports.server import ENVIRONMENT_NAME, SDK_SERVICE_NAMES

    recorder = Recorder(Path(args.out))
    stopped = catch_stop_signals()
    check_can_listen(args.host, args.port)
    server = make_server(
        args.host,
        args.port,
        proxy_app(args.upstream, recorder),
        threaded=True,
        request_handler=KeepAliveHandler,
    )
    url = f"http://{args.host}:{server.socket.getsockname()[1]}"
    for name in SDK_SERVICE_NAMES:
        print(f"export GLOBUS_SDK_SERVICE_URL_{name.upper()}={url}/{name}/")
    print(f"export GLOBUS_SDK_ENVIRONMENT={ENVIRONMENT_NAME}", flush=True)
    print(f"# recording to {args.out}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    wait_for_stop(stopped)
    server.shutdown()
    return 0


# Helpers


def check_can_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address that cannot be listened on (werkzeug
    would print its own lines and exit 1)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.create_server((host, port), family=family):
            pass
    except OSError as err:
        raise CliError(f"cannot listen on {host} port {port}: {_reason(err)}") from None


def env_block(variables: dict[str, str]) -> str:
    """Shell lines that set ``variables``."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in variables.items())


def write_atomically(path: Path, text: str) -> None:
    """Readers see no file or the whole file, never a part of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def catch_stop_signals() -> threading.Event:
    """An event SIGINT and SIGTERM set, from now on."""
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    return stopped


def wait_for_stop(stopped: threading.Event) -> None:
    """Block until a stop signal, waking now and then: the kernel may hand
    the signal to another thread, which does not interrupt a main thread
    blocked with no timeout, so Python would not run the handler (setting
    ``stopped``) until something else woke it."""
    while not stopped.wait(0.25):
        pass


def _read_if_present(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _exported(text: str, name: str) -> str | None:
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and words[1].startswith(f"{name}="):
            return words[1].partition("=")[2]
    return None


def _reason(err: BaseException) -> str:
    """An exception as one line: its message, without the traceback."""
    if isinstance(err, OSError) and err.strerror:
        where = f" ({err.filename})" if err.filename else ""
        return f"{err.strerror}{where}"
    text = " ".join(str(err).split())
    return text or type(err).__name__


if __name__ == "__main__":
    raise SystemExit(main())
