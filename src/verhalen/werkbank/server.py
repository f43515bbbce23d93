"""Serve the workbench on 127.0.0.1 (uvicorn) and open the browser."""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser
from pathlib import Path

from .app import create_app, new_token
from .project import DEFAULT_CODER, Werkbank

__all__ = ["serve", "HOST"]

HOST = "127.0.0.1"


def _socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit TCP_NODELAY: a response's head and body go out at once
    # instead of the body waiting ~40 ms for the browser's delayed ACK (Nagle)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        from .project import WerkbankFout
        raise WerkbankFout(f"poort {port} op {HOST} is niet beschikbaar ({exc.strerror}); kies "
                           "een andere met --poort, of --poort 0 voor een vrije.") from exc
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def _warm_up() -> None:
    """Import what the first "worth coding next" request needs (scikit-learn takes ~2 s) while
    the researcher starts reading."""
    try:
        import scipy.sparse  # noqa: F401
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
        from sklearn.preprocessing import normalize  # noqa: F401

        from ..coderen import actief_leren  # noqa: F401
    except Exception:  # noqa: BLE001 - only a head start; the request imports it anyway
        pass


def serve(folder: str | Path, *, port: int = 0, coder: str = DEFAULT_CODER,
          open_browser: bool = True, token: str | None = None) -> int:
    """Open ``folder`` in the workbench and serve until Ctrl-C. Prints one line: the address."""
    import uvicorn

    wb = Werkbank(folder, coder=coder)
    wb.journal.records()        # a damaged journal is reported now, naming file and line
    token = token or new_token()
    app = create_app(wb, token)
    sock = _socket(port)
    real_port = sock.getsockname()[1]
    url = f"http://{HOST}:{real_port}/?token={token}"
    print(url, flush=True)
    if open_browser:
        try:
            webbrowser.open(url)
        except Exception:  # noqa: BLE001 - no browser: the address above is enough
            pass
    threading.Thread(target=_warm_up, daemon=True, name="verhalen-opwarmen").start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    print("Werkbank gestopt; alle besluiten staan in "
          f"{wb.journal.path}.", file=sys.stderr, flush=True)
    return 0
