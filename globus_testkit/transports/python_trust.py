"""Opt-in trust of the proxy's certificate authority for Python programs
that pin certifi's bundle.

Some clients pass ``verify=True`` to requests for every call
(globus-automate-client 0.18's ``FlowsClient`` does), and globus-sdk then
hands that straight to ``Session.send``: requests checks the certificate
against ``certifi.where()``, read when requests is imported, and no
environment variable can change it. Nothing installed is modified to get
around that. Instead the proxy's private run directory holds

- ``python-trust.pem``: certifi's bundle (as this process has it) followed
  by this run's CA certificate, so other hosts still verify;
- ``python/sitecustomize.py``: a hook that, when its folder is on
  ``PYTHONPATH``, first runs whatever ``sitecustomize`` it shadows, then
  points ``certifi.where()`` (and requests, if something imported it
  already) at that bundle.

Only a process given ``PYTHONPATH=<run dir>/python`` loads the hook, so it
is asked for explicitly (``serve --proxy --python-trust``,
``ProxyServer.python_trust_env``). The hook does nothing once the run's
directory is gone, so a stale environment is inert rather than trusting a
dead authority's bundle.
"""

from __future__ import annotations

from pathlib import Path

HOOK_DIR = "python"
BUNDLE = "python-trust.pem"

# Runs in the client's Python, whatever its version: plain syntax only,
# nothing imported that a bare interpreter lacks.
_HOOK = '''\
"""globus-testkit proxy mode (--python-trust): trust this run's certificate
authority in programs that pin certifi. Written by globus-testkit, removed
with the run's directory."""

import os
import sys

_BUNDLE = {bundle!r}


def _chain():
    """Run the sitecustomize this one shadows, if there is one."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _trust():
    if not os.path.isfile(_BUNDLE):
        return  # the run is over: trust nothing of it
    try:
        import certifi
    except ImportError:
        return

    def where():
        return _BUNDLE

    certifi.where = where
    for name in ("requests.utils", "requests.adapters"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "DEFAULT_CA_BUNDLE_PATH"):
            module.DEFAULT_CA_BUNDLE_PATH = _BUNDLE
    adapters = sys.modules.get("requests.adapters")
    preloaded = getattr(adapters, "_preloaded_ssl_context", None)
    if preloaded is not None:
        preloaded.load_verify_locations(_BUNDLE)


try:
    _chain()
finally:
    _trust()
'''


def write_python_trust(folder: Path, ca_file: Path) -> Path:
    """Write the combined bundle and the hook into ``folder``; return the
    folder to put on ``PYTHONPATH``."""
    ours = ca_file.read_bytes()
    try:
        import certifi
    except ImportError:  # pragma: no cover - globus-sdk brings it via requests
        theirs = b""
    else:
        theirs = Path(certifi.where()).read_bytes() + b"\n"
    bundle = folder / BUNDLE
    bundle.write_bytes(theirs + ours)
    hook_dir = folder / HOOK_DIR
    hook_dir.mkdir(mode=0o700)
    (hook_dir / "sitecustomize.py").write_text(_HOOK.format(bundle=str(bundle)))
    return hook_dir
