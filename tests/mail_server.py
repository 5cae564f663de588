"""A small SMTP server on loopback: the mail server at the product's edge, spoken to over real TCP by a real
worker process. It can accept mail, refuse it (421, as a server that is down for maintenance does), or take a
message and hold its answer (a slow server), so that a test can kill the sender mid-send."""

from __future__ import annotations

import email
import socketserver
import threading
from dataclasses import dataclass


@dataclass
class Delivered:
    sender: str
    recipients: list[str]
    subject: str
    body: str


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server: MailServer = self.server.mail
        if server.mode == "refuse":
            server.refusals += 1
            self.wfile.write(b"421 4.3.2 Service not available, try again later\r\n")
            return
        self.wfile.write(b"220 test-mail ESMTP\r\n")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.upper()
            if verb.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test-mail\r\n")
            elif verb.startswith("MAIL FROM:"):
                sender, recipients = command[10:].strip(" <>"), []
                self.wfile.write(b"250 OK\r\n")
            elif verb.startswith("RCPT TO:"):
                recipients.append(command[8:].strip(" <>"))
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n"):
                    if not chunk:
                        return
                    data.append(chunk)
                if server.mode == "hold":
                    server.holding.set()  # the sender is now waiting for our answer
                    server.release.wait(60)
                    return  # never answered: the message was not taken
                message = email.message_from_bytes(b"".join(data))
                server.delivered.append(Delivered(sender, recipients, str(message["Subject"]),
                                                  message.get_payload(decode=True).decode().strip()))
                self.wfile.write(b"250 OK queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            elif verb in ("RSET", "NOOP"):
                self.wfile.write(b"250 OK\r\n")
            else:
                self.wfile.write(b"502 Command not implemented\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MailServer:
    """`mode`: "accept", "refuse" or "hold". Delivered messages are in `delivered`; `refusals` counts refusals."""

    def __init__(self):
        self.mode = "accept"
        self.delivered: list[Delivered] = []
        self.refusals = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mail = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def worker_environment(self) -> dict[str, str]:
        """What a worker process needs to send its mail here."""
        return {"TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port), "EMAIL_TIMEOUT": "60"}

    def __enter__(self) -> MailServer:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
