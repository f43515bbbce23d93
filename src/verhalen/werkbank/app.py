"""The workbench web app (Starlette): safe by default.

* Every request needs the session token — as ``?token=`` or the ``X-Verhalen-Token`` header —
  or it gets 403, static files and unknown paths included. Requests that change something
  (POST) need it in the header: a link or a form on another site cannot carry it there.
* Only the hosts ``127.0.0.1`` and ``localhost`` are answered (no DNS rebinding); the server
  binds 127.0.0.1 only (:mod:`verhalen.werkbank.server`).
* Static files come from a fixed list; the client never names a file, only segment, document
  and code ids, which :class:`~verhalen.werkbank.project.Werkbank` checks.
* Every response carries ``Content-Security-Policy: default-src 'self'`` (no request leaves
  the machine, no inline script), ``X-Content-Type-Options: nosniff``, no caching, no referrer.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..fouten import VerhalenFout
from .leren import Herleren
from .overeenstemming import agreement
from .project import Werkbank, WerkbankFout, check_coder_name

__all__ = ["create_app", "new_token", "CSP", "STATIC_FILES"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
#: the only files the app serves: name -> media type
STATIC_FILES = {
    "kern.js": "text/javascript; charset=utf-8",
    "werkbank.js": "text/javascript; charset=utf-8",
    "kern.css": "text/css; charset=utf-8",
    "werkbank.css": "text/css; charset=utf-8",
}
MAX_BODY = 64 * 1024


def new_token() -> str:
    return secrets.token_urlsafe(24)


def static_text(name: str) -> str:
    return resources.files("verhalen.werkbank").joinpath("static", name).read_text("utf-8")


class _Guard:
    """ASGI middleware: host check, token check, security headers on every response."""

    def __init__(self, app, token: str, hosts: tuple[str, ...]):
        self.app = app
        self.token = token.encode()
        self.hosts = hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").rsplit(":", 1)[0]
        request = Request(scope)
        given_header = headers.get("x-verhalen-token", "")
        given_query = request.query_params.get("token", "")
        ok_header = bool(given_header) and hmac.compare_digest(given_header.encode(), self.token)
        ok_query = bool(given_query) and hmac.compare_digest(given_query.encode(), self.token)
        if host not in self.hosts:
            response: Response = JSONResponse({"fout": "onbekende host: de werkbank antwoordt "
                                                       "alleen op 127.0.0.1."}, status_code=403)
        elif scope["method"] not in ("GET", "HEAD", "POST"):
            response = JSONResponse({"fout": "methode niet toegestaan."}, status_code=405)
        elif scope["method"] == "POST" and not ok_header:
            response = JSONResponse({"fout": "geen of verkeerd token in de kop X-Verhalen-Token "
                                             "(nodig bij elke wijziging)."}, status_code=403)
        elif not (ok_header or ok_query):
            response = JSONResponse({"fout": "geen of verkeerd token: open de werkbank via het "
                                             "adres dat 'verhalen bekijk' liet zien."},
                                    status_code=403)
        else:
            response = None
        if response is not None:
            await _secure(response)(scope, receive, send)
            return

        async def send_secured(message):
            if message["type"] == "http.response.start":
                hdrs = [(k, v) for k, v in message.get("headers", [])
                        if k.lower() not in _SECURITY_KEYS]
                hdrs += _SECURITY_HEADERS
                message = {**message, "headers": hdrs}
            await send(message)

        await self.app(scope, receive, send_secured)


_SECURITY = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}
_SECURITY_KEYS = {k.encode() for k in _SECURITY}
_SECURITY_HEADERS = [(k.encode(), v.encode()) for k, v in _SECURITY.items()]


def _secure(response: Response) -> Response:
    for k, v in _SECURITY.items():
        response.headers[k] = v
    return response


def _error(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"fout": str(exc)}, status_code=status)


async def _json_body(request: Request) -> dict:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise WerkbankFout("verzoek moet JSON zijn (Content-Type: application/json).")
    try:
        declared = int(request.headers.get("content-length", "0"))
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        raise WerkbankFout("verzoek is te groot.")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise WerkbankFout("verzoek is te groot.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WerkbankFout("verzoek is geen geldige JSON.") from exc
    if not isinstance(data, dict):
        raise WerkbankFout("verzoek moet een JSON-object zijn.")
    return data


def create_app(wb: Werkbank, token: str, *, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
               refit: Herleren | None = None) -> Any:
    """The ASGI app for one project. ``hosts``: Host names answered (tests add "testserver")."""
    refit = refit or Herleren(wb)
    page_html = static_text("index.html")

    def coder_of(request: Request, body: dict | None = None) -> str:
        name = (body or {}).get("codeur") if body else None
        name = name or request.query_params.get("codeur") or wb.coder
        return check_coder_name(name)

    async def index(request: Request) -> Response:
        try:
            coder = coder_of(request)
        except VerhalenFout as exc:
            return _error(exc)
        text = (page_html.replace("{{TOKEN}}", html.escape(token, quote=True))
                .replace("{{CODEUR}}", html.escape(coder, quote=True)))
        return Response(text, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["naam"]
        if name not in STATIC_FILES:
            return JSONResponse({"fout": "niet gevonden."}, status_code=404)
        return Response(static_text(name), media_type=STATIC_FILES[name])

    async def project(request: Request) -> Response:
        try:
            return JSONResponse(wb.page(coder_of(request)))
        except VerhalenFout as exc:
            return _error(exc)

    async def besluit(request: Request) -> Response:
        try:
            body = await _json_body(request)
            unknown = set(body) - {"segment", "actie", "code", "memo", "codeur"}
            if unknown:
                raise WerkbankFout(f"onbekende velden: {', '.join(sorted(unknown))}.")
            out = wb.decide(segment_id=body.get("segment"), action=body.get("actie"),
                            code=body.get("code"), memo=body.get("memo"),
                            coder=coder_of(request, body))
        except VerhalenFout as exc:
            return _error(exc)
        except OSError as exc:
            return _error(WerkbankFout(f"het journaal kon niet worden geschreven: {exc}"), 500)
        return JSONResponse(out)

    async def wachtrij(request: Request) -> Response:
        try:
            n = int(request.query_params.get("n", "20"))
            return JSONResponse({"wachtrij": wb.queue(n, coder_of(request))})
        except ValueError:
            return _error(WerkbankFout("n moet een getal zijn."))
        except VerhalenFout as exc:
            return _error(exc)

    async def herleer_status(request: Request) -> Response:
        return JSONResponse(refit.status())

    async def herleer_start(request: Request) -> Response:
        try:
            body = await _json_body(request)
            return JSONResponse(refit.start(coder_of(request, body)), status_code=202)
        except VerhalenFout as exc:
            return _error(exc, 409 if "loopt al" in str(exc) else 400)

    async def overeenstemming(request: Request) -> Response:
        try:
            a = request.query_params.get("a") or None
            b = request.query_params.get("b") or None
            return JSONResponse(agreement(wb, a, b))
        except VerhalenFout as exc:
            return _error(exc)

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"fout": "niet gevonden."}, status_code=404)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{naam}", static, methods=["GET"]),
        Route("/api/project", project, methods=["GET"]),
        Route("/api/besluit", besluit, methods=["POST"]),
        Route("/api/wachtrij", wachtrij, methods=["GET"]),
        Route("/api/herleer", herleer_status, methods=["GET"]),
        Route("/api/herleer", herleer_start, methods=["POST"]),
        Route("/api/overeenstemming", overeenstemming, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.werkbank = wb
    app.state.herleren = refit
    return _Guard(app, token, hosts)
