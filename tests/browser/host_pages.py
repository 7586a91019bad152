"""A bank's own web site on another origin, embedding the widget with its one tag.

The pages have no CSP of their own, so an unsafe widget would run injected
script there (on the gateway's pages the CSP would block it anyway); their
stylesheet is deliberately hostile, to prove the Shadow DOM keeps it out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOSTILE_CSS = """
* { font-family: "Courier New", serif !important; font-size: 31px !important;
    color: #f00 !important; letter-spacing: 4px !important; line-height: 3 !important; }
button, textarea { display: none !important; background: yellow !important; }
div, section, header, form, ol, li, p { display: none !important; margin: 40px !important; }
"""


def host_page(gateway_url: str, language: str = "en") -> str:
    """The bank's page: its own content, its stylesheet and the widget's tag."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour Bank partner page</title>
<link rel="stylesheet" href="/hostile.css"></head>
<body><main><h1>Mortgages</h1><span>Rates from 3.1 %</span></main>
<script src="{gateway_url}/widget.js" data-language="{language}" async></script>
</body></html>"""


@contextmanager
def serve_host_page(port: int, gateway_url: str) -> Iterator[str]:
    """Serve the host page on 127.0.0.1:`port` in a thread; yields its origin."""
    page = host_page(gateway_url).encode()
    css = HOSTILE_CSS.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body, kind = (css, "text/css") if self.path == "/hostile.css" else (page, "text/html")
            if self.path == "/favicon.ico":
                body, kind = b"", "image/x-icon"
            self.send_response(200)
            self.send_header("content-type", f"{kind}; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
