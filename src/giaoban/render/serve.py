"""`giaoban serve`: preview the built site on http://127.0.0.1:<port>/ with Python's http.server."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from giaoban.errors import GiaobanError

__all__ = ["make_server", "serve"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".pf_meta": "application/octet-stream",
                      ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream",
                      ".pagefind": "application/octet-stream"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def make_server(site: str | Path, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """Return an HTTP server for the folder `site`, bound to 127.0.0.1 only (not yet serving).

    Refuses (GiaobanError) a folder without `index.html` and a port already in use.
    """
    folder = Path(site)
    if not (folder / "index.html").is_file():
        raise GiaobanError(f"{folder}: chưa có trang web (không có index.html); hãy chạy giaoban build trước")
    handler = functools.partial(_Handler, directory=str(folder))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        raise GiaobanError(f"không mở được cổng {port} trên 127.0.0.1: {e.strerror}") from None


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
