"""`giaoban serve` and the server of `giaoban preview`: the built site on http://127.0.0.1:<port>/.

`serve` hands out the files of the site as they are (Python's http.server). The preview server
(`make_server(..., live=LiveReload())`) does the same, and in every HTML page it sends it adds one
`<script>` (only in the response: the files of `_site/` never carry it) that listens to the
server's events (Server-Sent Events on `/__giaoban/events`):

- `reload` with the site paths whose HTML changed (`{"pages": ["briefings/…/x.html"]}`, or
  `{"all": true}`): a tab showing one of them reloads;
- `error` with the message of a rebuild that failed (`{"title": …, "lines": [...]}`): the tab shows
  it over the page (the last good page stays underneath), as text, never as HTML;
- `ok`: the error is gone (a good save recovered).

A tab that connects gets the current state first, so a page opened while the build is broken
shows the error too.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Callable

from giaoban.errors import GiaobanError

__all__ = ["make_server", "serve", "LiveReload", "EVENTS", "SCRIPT", "RELOAD_MARK", "open_server", "inject"]

#: Where the preview server sends its events and its script.
EVENTS = "/__giaoban/events"
SCRIPT = "/__giaoban/reload.js"
#: The attribute that marks the injected script (the tests look for it in `_site/`: it must not be there).
RELOAD_MARK = "data-giaoban-preview"

_TAG = f'<script src="{SCRIPT}" {RELOAD_MARK}></script>'.encode()

_JS = r"""(function () {
  "use strict";
  var here = decodeURIComponent(location.pathname.replace(/^\/+/, ""));
  if (here === "" || here.slice(-1) === "/") here += "index.html";
  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(title, lines) {
    hide();
    box = document.createElement("div");
    box.setAttribute("role", "alert");
    box.setAttribute("data-giaoban-error", "");
    box.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:99999;" +
      "background:#fff4f4;color:#5c0000;border-bottom:3px solid #b00020;padding:1em 1.5em;" +
      "font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 4px 16px rgba(0,0,0,.25)";
    var h = document.createElement("strong");
    h.textContent = title;
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:.6em 0 0";
    pre.textContent = lines.join("\n");
    var note = document.createElement("p");
    note.style.cssText = "margin:.6em 0 0;font-family:system-ui,sans-serif";
    note.textContent = "Trang bên dưới là bản tốt gần nhất; lưu lại bản đã sửa, trang sẽ tự cập nhật. " +
      "(The page below is the last good one; it updates on the next good save.)";
    box.appendChild(h); box.appendChild(pre); box.appendChild(note);
    document.body.appendChild(box);
  }
  var source = new EventSource("/__giaoban/events");
  source.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    if (data.all || (data.pages || []).indexOf(here) >= 0) location.reload();
  });
  source.addEventListener("error", function (e) {
    if (!e.data) return;  // the connection's own error event: EventSource reconnects by itself
    var data = JSON.parse(e.data);
    show(data.title, data.lines || []);
  });
  source.addEventListener("ok", function () { hide(); });
})();
"""


_MISSING = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Chưa có trang</title></head>'
    "<body><h1>Chưa có trang này</h1><p>Trang chưa được dựng (hoặc lần dựng đang lỗi); trang sẽ tự tải "
    'lại khi dựng xong. <i lang="en">This page is not built yet; it reloads when it is.</i></p>'
    "</body></html>"
).encode()


class LiveReload:
    """What the preview server tells the open tabs: the current state (ok, or the error shown) and a
    numbered list of events that each connection reads from where it is."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._events: list[tuple[int, str, str]] = []
        self._next = 1
        self._error: dict[str, Any] | None = None
        self.closed = False
        self.on_send: Callable[[str, dict[str, Any]], None] | None = None

    def _push(self, kind: str, data: dict[str, Any]) -> None:
        with self._cond:
            self._events.append((self._next, kind, json.dumps(data, ensure_ascii=False)))
            self._next += 1
            del self._events[:-50]
            self._cond.notify_all()
        if self.on_send is not None:
            self.on_send(kind, data)

    def reload(self, pages: list[str] | None) -> None:
        """Tell the tabs showing one of `pages` (site paths, e.g. `briefings/2021-H1/x.html`; None: every
        tab) to reload; an error shown is cleared."""
        with self._cond:
            self._error = None
        self._push("reload", {"all": True} if pages is None else {"pages": sorted(pages)})

    def error(self, title: str, lines: list[str]) -> None:
        """Show `title` and `lines` over every open page, and over pages opened until `ok` or `reload`."""
        data = {"title": title, "lines": list(lines)}
        with self._cond:
            self._error = data
        self._push("error", data)

    def ok(self) -> None:
        """Clear the error shown (nothing to reload)."""
        with self._cond:
            had, self._error = self._error, None
        if had is not None:
            self._push("ok", {})

    @property
    def current_error(self) -> dict[str, Any] | None:
        """The error shown now, or None."""
        with self._cond:
            return self._error

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def stream(self, write: Callable[[bytes], None]) -> None:
        """Write the events to one connection until it closes or `close()`: first the current state,
        then every new event; a comment line every 15 s keeps proxies from closing it."""
        with self._cond:
            seen = self._next - 1
            first = self._error
        write(b"retry: 1000\n\n")
        if first is not None:
            write(_event("error", json.dumps(first, ensure_ascii=False)))
        while True:
            with self._cond:
                if not self.closed and not any(n > seen for n, _, _ in self._events):
                    self._cond.wait(15)
                if self.closed:
                    return
                new = [e for e in self._events if e[0] > seen]
            if not new:
                write(b": ping\n\n")
            for number, kind, data in new:
                write(_event(kind, data))
                seen = number


def _event(kind: str, data: str) -> bytes:
    return f"event: {kind}\ndata: {data}\n\n".encode()


def inject(html: bytes) -> bytes:
    """Return the page `html` with the preview's script before `</body>` (at the end without one)."""
    at = html.lower().rfind(b"</body>")
    return html + _TAG if at < 0 else html[:at] + _TAG + html[at:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
        ".pagefind": "application/octet-stream",
    }
    live: LiveReload | None = None

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.live is None:
            return super().do_GET()
        path = urllib.parse.urlsplit(self.path).path
        if path == EVENTS:
            return self._events()
        if path == SCRIPT:
            return self._send(200, "text/javascript; charset=utf-8", _JS.encode("utf-8"))
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # the redirect to the folder's address
            local = local / "index.html"
        if local.suffix == ".html" or path.endswith("/"):
            try:
                body = local.read_bytes()
            except OSError:  # not built (yet, or the build is broken): a page that shows the error
                return self._send(404, "text/html; charset=utf-8", inject(_MISSING))
            return self._send(200, "text/html; charset=utf-8", inject(body))
        return super().do_GET()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        assert self.live is not None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        try:
            self.live.stream(write)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True


def _check_site(folder: Path) -> None:
    if not (folder / "index.html").is_file():
        raise GiaobanError(f"{folder}: chưa có trang web (không có index.html); hãy chạy giaoban build trước")


def _bind(folder: Path, port: int, live: LiveReload | None) -> http.server.ThreadingHTTPServer:
    handler_class = type("Handler", (_Handler,), {"live": live})
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def make_server(
    site: str | Path, port: int = 8000, *, live: LiveReload | None = None, check: bool = True
) -> http.server.ThreadingHTTPServer:
    """Return an HTTP server for the folder `site`, bound to 127.0.0.1 only (not yet serving); with
    `live`, a preview server (see the module docstring).

    Refuses (GiaobanError) a folder without `index.html` (unless `check` is False) and a port already in use.
    """
    folder = Path(site)
    if check:
        _check_site(folder)
    try:
        return _bind(folder, port, live)
    except OSError as e:
        raise GiaobanError(f"không mở được cổng {port} trên 127.0.0.1: {e.strerror}") from None


def open_server(
    site: str | Path, port: int = 8000, *, live: LiveReload | None = None
) -> http.server.ThreadingHTTPServer:
    """Return a server as `make_server` does, on `port` or, when that port is taken, on a free one
    that the system chooses (read it from `server.server_address[1]`). The folder need not have a
    site yet. Refuses (GiaobanError) only when no port can be opened."""
    folder = Path(site)
    try:
        return _bind(folder, port, live)
    except OSError as e:
        if e.errno != errno.EADDRINUSE or port == 0:
            raise GiaobanError(f"không mở được cổng {port} trên 127.0.0.1: {e.strerror}") from None
    return make_server(folder, 0, live=live, check=False)


def serve(site: str | Path, port: int = 8000, *, announce=print) -> None:
    """Serve the folder `site` on http://127.0.0.1:`port`/ until interrupted (Ctrl+C)."""
    server = make_server(site, port)
    announce(f"Xem trước tại http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C để dừng)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
