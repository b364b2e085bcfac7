"""Real local receivers for alert tests: an SMTP server (aiosmtpd) and an HTTP webhook."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receivers:
    """Collects e-mails and webhook posts sent to 127.0.0.1 during a test."""

    def __init__(self):
        self.mails: list[email.message.EmailMessage] = []
        self.posts: list[dict] = []
        receivers = self

        class Smtp:
            async def handle_DATA(self, server, session, envelope):
                receivers.mails.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
                return "250 OK"

        class Webhook(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receivers.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._smtp = Controller(Smtp(), hostname="127.0.0.1", port=_free_port())
        self._web = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)

    def __enter__(self):
        self._smtp.start()
        threading.Thread(target=self._web.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._smtp.stop()
        self._web.shutdown()
        self._web.server_close()

    @property
    def connection(self) -> str:
        """The Airflow connection yigongti_alerts (Apprise) pointing at both receivers."""
        paths = [
            f"mailto://127.0.0.1:{self._smtp.port}?from=alerts@yigongti.test&to=duty@yigongti.test",
            f"json://127.0.0.1:{self._web.server_address[1]}/alerts",
        ]
        return json.dumps(
            {"conn_type": "apprise", "extra": {"config": [{"path": p} for p in paths]}}
        )

    def texts(self) -> list[tuple[str, str]]:
        """(subject, plain-text body) of every e-mail received."""
        return [
            (m["subject"], m.get_body(preferencelist=("plain",)).get_content()) for m in self.mails
        ]
