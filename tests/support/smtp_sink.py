"""A real SMTP server for the tests (aiosmtpd, from PyPI): every message it
receives is written, as received, to a file in a folder, with the envelope's
recipients in a first line "X-Sink-Rcpt-To: ...". A message appears whole
(written under another name, then renamed).

    python smtp_sink.py FOLDER PORT

It prints "listening on PORT" once it accepts connections and runs until
stdin closes or it is killed.
"""

import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.folder, f"{time.time_ns():020d}-{self.count:04d}.eml")
        with open(name + ".part", "wb") as out:
            out.write(b"X-Sink-Rcpt-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content)
        os.rename(name + ".part", name)
        return "250 Message accepted"


def main():
    folder, port = sys.argv[1], int(sys.argv[2])
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
