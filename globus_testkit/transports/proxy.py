"""Proxy mode: any program reaches the emulator through ``HTTPS_PROXY``.

Programs that call Globus's real URLs (and read no
``GLOBUS_SDK_SERVICE_URL_*``) are pointed at a loopback HTTP proxy. For a
host the emulator serves, the proxy answers ``CONNECT`` itself: it
terminates TLS with a certificate minted on the spot for that host by a
certificate authority made for this run, and hands each request inside
the tunnel to the emulator's own WSGI app, so no behaviour is written
twice and the journal, faults and clock see proxied calls like any
others. Plain ``http://`` proxy requests are answered the same way.

Hosts the emulator does not serve are refused with a 403 naming the host
(nothing leaves the machine) unless pass-through is asked for, in which
case their bytes are relayed untouched.

The authority's private key never touches the disk; the certificates and
the leaf key live in a private temporary directory removed on stop.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import ipaddress
import os
import select
import shutil
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingTCPServer
from typing import TYPE_CHECKING, Any

from ..faults import DropConnection
from .inprocess import wsgi_environ
from .python_trust import write_python_trust

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.x509 import Certificate, GeneralName

    from ..emulator import Emulator

MAX_PROXIED_BODY = 64 * 1024 * 1024


class CertificateAuthority:
    """A throwaway CA that signs a certificate for each host asked for."""

    def __init__(self, folder: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.folder = folder
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "globus-testkit proxy CA")])
        now = _dt.datetime.now(_dt.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=1))
            .not_valid_after(now + _dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(_pem(self.certificate))
        self._leaf_key_file = folder / "leaf-key.pem"
        self._leaf_key_file.write_bytes(_key_pem(self._leaf_key))
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def context_for(self, hostname: str) -> ssl.SSLContext:
        """A server-side TLS context presenting a certificate for ``hostname``."""
        with self._lock:
            context = self._contexts.get(hostname)
            if context is None:
                cert_file = self.folder / f"{hostname}.pem"
                cert_file.write_bytes(_pem(self._leaf(hostname)))
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert_file, self._leaf_key_file)
                self._contexts[hostname] = context
            return context

    def _leaf(self, hostname: str) -> Certificate:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        now = _dt.datetime.now(_dt.timezone.utc)
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
            .issuer_name(self.certificate.subject)
            .public_key(self._leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=1))
            .not_valid_after(now + _dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([_alt_name(hostname)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self._key, hashes.SHA256())
        )


def _alt_name(hostname: str) -> GeneralName:
    """A certificate's name for ``hostname``: an IP address (the live
    server's TLS door, reached as ``127.0.0.1``) or a DNS name."""
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return x509.DNSName(hostname)


def _pem(certificate: Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.PEM)


def _key_pem(key: EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class ProxyServer:
    """The emulator behind a loopback HTTP proxy (``CONNECT`` and plain)."""

    def __init__(
        self,
        emulator: Emulator,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        passthrough: bool = False,
    ) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port
        self.passthrough = passthrough
        self.folder = Path(tempfile.mkdtemp(prefix="globus-testkit-proxy-"))
        self.authority = CertificateAuthority(self.folder)
        self.bundle = self.folder / "ca-bundle.pem"
        self.bundle.write_bytes(self._bundle_bytes())
        self.python_trust_dir = write_python_trust(self.folder, self.authority.ca_file)
        self._server: _ProxyTCPServer | None = None
        self._thread: threading.Thread | None = None

    def _bundle_bytes(self) -> bytes:
        # With pass-through, other hosts' real certificates must verify too.
        ours = self.authority.ca_file.read_bytes()
        if not self.passthrough:
            return ours
        import certifi

        return Path(certifi.where()).read_bytes() + b"\n" + ours

    def serves(self, hostname: str) -> bool:
        return self.emulator.handles_host(hostname)

    def start(self) -> None:
        self._server = _ProxyTCPServer((self.host, self.port), _ProxyHandler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"globus-testkit-proxy:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to reach the emulator through this proxy,
        for each ecosystem's HTTP stack (Python, curl, OpenSSL, Node)."""
        bundle = str(self.bundle)
        local = "127.0.0.1,localhost,::1"
        return {
            "HTTPS_PROXY": self.url,
            "HTTP_PROXY": self.url,
            "https_proxy": self.url,
            "http_proxy": self.url,
            "NO_PROXY": local,
            "no_proxy": local,
            "REQUESTS_CA_BUNDLE": bundle,
            "SSL_CERT_FILE": bundle,
            "CURL_CA_BUNDLE": bundle,
            "NODE_EXTRA_CA_CERTS": bundle,
            # globus-sdk sends with verify=<this> and so never reads
            # REQUESTS_CA_BUNDLE; it takes a bundle path here instead.
            "GLOBUS_SDK_VERIFY_SSL": bundle,
            "NODE_USE_ENV_PROXY": "1",
        }

    @property
    def python_trust_env(self) -> dict[str, str]:
        """Opt-in, on top of :attr:`env`: ``PYTHONPATH`` with this run's
        ``sitecustomize`` hook first, for Python programs that pin certifi's
        bundle and so read no CA variable (see transports/python_trust.py).
        Any ``PYTHONPATH`` this process has is kept after it."""
        paths = [str(self.python_trust_dir)]
        if os.environ.get("PYTHONPATH"):
            paths.append(os.environ["PYTHONPATH"])
        return {"PYTHONPATH": os.pathsep.join(paths)}

    def __enter__(self) -> ProxyServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ProxyTCPServer(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Any, proxy: ProxyServer) -> None:
        self.proxy = proxy
        super().__init__(address, handler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyTCPServer
    timeout = 60  # idle connections go, so slow peers cannot pile up
    tunnel_host: str | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- CONNECT: a tunnel we terminate (served hosts) or relay (pass-through) --

    def do_CONNECT(self) -> None:
        hostname, _, port = self.path.rpartition(":")
        hostname = hostname.strip("[]").lower()
        proxy = self.server.proxy
        if not proxy.serves(hostname):
            if proxy.passthrough:
                self._relay(hostname, int(port or 443))
            else:
                self._refuse(hostname)
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        try:
            tls = proxy.authority.context_for(hostname).wrap_socket(
                self.connection, server_side=True
            )
        except (ssl.SSLError, OSError):
            self.close_connection = True  # the client did not trust us: its choice
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.tunnel_host = hostname
        self.close_connection = False

    def _relay(self, hostname: str, port: int) -> None:
        try:
            upstream = socket.create_connection((hostname, port), timeout=30)
        except OSError as err:
            self.send_error(502, f"could not reach {hostname}:{port}: {err}")
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        with upstream:
            sockets = [self.connection, upstream]
            while True:
                readable, _, broken = select.select(sockets, [], sockets, 60)
                if broken or not readable:
                    break
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        self.close_connection = True
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)
        self.close_connection = True

    def _refuse(self, hostname: str) -> None:
        message = (
            f"globus-testkit's proxy does not serve {hostname}: nothing leaves this machine "
            "(serve --proxy-passthrough relays other hosts)"
        ).encode()
        self.send_response(403, "Forbidden by globus-testkit")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(message)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(message)
        self.close_connection = True

    # -- requests: inside a tunnel, or plain http:// through the proxy ------------

    def _forward(self) -> None:
        if self.tunnel_host is not None:
            url = f"https://{self.headers.get('Host') or self.tunnel_host}{self.path}"
        else:
            url = self.path
            from urllib.parse import urlsplit

            hostname = (urlsplit(url).hostname or "").lower()
            if not url.startswith("http://") or not self.server.proxy.serves(hostname):
                if self.server.proxy.passthrough and url.startswith("http://"):
                    self.send_error(501, "plain-http pass-through is not supported; use https")
                else:
                    self._refuse(hostname or url)
                return
        body = self._body()
        if body is None:
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        environ = wsgi_environ(self.command, url, headers, body)
        environ["REMOTE_ADDR"] = self.client_address[0]
        self._answer(environ)

    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked_body()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "invalid Content-Length")
            return None
        if length > MAX_PROXIED_BODY:
            self.send_error(413, "request body too large")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _chunked_body(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.send_error(400, "malformed chunked body")
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_PROXIED_BODY:
                self.send_error(413, "request body too large")
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _answer(self, environ: dict[str, Any]) -> None:
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None

        try:
            payload = b"".join(self.server.proxy.emulator(environ, start_response))
        except DropConnection:
            # an injected reset or timeout: the connection just goes
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        code, _, reason = seen["status"].partition(" ")
        self.send_response(int(code), reason)
        for name, value in seen["headers"]:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward


_HOP_BY_HOP = frozenset(
    (
        "connection",
        "proxy-connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "upgrade",
        "proxy-authorization",
    )
)
