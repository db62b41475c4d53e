"""The production configuration, run for real: deploy/nginx.conf in front of gunicorn as `make run` starts it.

nginx (Debian's /usr/sbin/nginx; .ci/run installs nginx-light) runs unprivileged with a prefix of its own on a
free port; only the listen port, upstream port and static path of deploy/nginx.conf are substituted.
"""

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.functional.test_serving import _free_port, run_gunicorn

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    for gunicorn_base in run_gunicorn(tmp_path_factory.mktemp("upstream")):
        upstream = gunicorn_base.rsplit(":", 1)[1]
        port = _free_port()
        server = (ROOT / "deploy" / "nginx.conf").read_text()
        server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
        server = server.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
        server = server.replace("/srv/marketplace/static/", str(ROOT / "static") + "/")
        (tmp / "marketplace.conf").write_text(server)
        main = (ROOT / "deploy" / "nginx-test.conf").read_text().replace("@PREFIX@", str(tmp))
        (tmp / "nginx.conf").write_text(main)
        subprocess.run(
            [NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], check=True, capture_output=True, timeout=60
        )
        proc = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if _status(base + "/healthz", 2) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield base
        proc.terminate()
        proc.wait(timeout=30)


def _status(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        resp.read()
        return resp.status


def test_pages_and_static_files_through_nginx(proxied):
    assert _status(proxied + "/") == 200
    assert _status(proxied + "/achievements") == 200
    css = next((ROOT / "static").rglob("*.css"), None) or next((ROOT / "static").rglob("*.js"))
    assert _status(proxied + "/static/" + str(css.relative_to(ROOT / "static"))) == 200


def test_slow_clients_are_held_by_nginx_and_timed_out(proxied):
    host, port = proxied.removeprefix("http://").split(":")
    slow = []
    try:
        for _ in range(200):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(sock)
        assert [_status(proxied + "/healthz") for _ in range(5)] == [200] * 5
        slow[0].settimeout(60)
        answer = slow[0].recv(64)  # client_header_timeout: nginx closes it (408 or a bare close)
        assert answer == b"" or re.match(rb"HTTP/1\.1 408", answer)
    finally:
        for sock in slow:
            sock.close()


def test_the_configuration_buffers_requests_and_responses():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for directive in (
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "client_header_timeout",
        "client_body_timeout",
        "client_max_body_size 20m;",
        "proxy_pass http://marketplace_app;",
    ):
        assert directive in conf
    assert os.path.exists(ROOT / "deploy" / "README.md")
