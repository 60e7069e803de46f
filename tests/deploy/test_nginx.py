"""The deployment in deploy/, run for real: Debian's nginx with deploy/nginx/chibo.conf (TLS, a self-signed
certificate made here) in front of gunicorn started from deploy/systemd/chibo-web.service with
deploy/gunicorn.conf.py, on loopback ports, with production settings, on a copy of the test database.

Checked from outside, as a browser or a script would see it: HTTP redirects to HTTPS; Django's security headers
arrive over TLS (HSTS only because X-Forwarded-Proto reached it); no version banner; a body over the import's cap
is refused by nginx with 413 (JSON) before gunicorn sees it, while a file just over the import's own limit gets
through to Django's refusal; the client's address (not nginx's, nor what the client claims in X-Forwarded-For)
reaches the API throttle and the audit log; static files are served by nginx, not gunicorn.

nginx missing is a failure, not a skip: `make test` installs it (Makefile, target `proxy`).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from deploy_support import BIN, DEPLOY, PROJECT, exec_starts, replace

from chibo.core.spreadsheets import MAX_UPLOAD_BYTES

HOST = "localhost"
CLIENT, OTHER_CLIENT, SPOOFER = "127.0.0.7", "127.0.0.8", "127.0.0.9"
BAD_TOKEN_RATE = 3
pytestmark = pytest.mark.django_db  # the suite's test database (with its demo) is set up, then copied for gunicorn


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not found:
        pytest.fail("Debian's nginx is not installed: `make test` installs it (apt-get install nginx)")
    return found


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports: the sockets are held open together, so the kernel cannot hand one port out
    twice (nginx listening on gunicorn's port answers its own proxied requests with its redirect)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def nginx_conf(tmp: Path, *, http_port: int, https_port: int, upstream: int, cert: Path, key: Path,
               static: Path) -> Path:
    site = (DEPLOY / "nginx" / "chibo.conf").read_text()
    site = replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = replace(site, "listen [::]:80;", "")
    site = replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = replace(site, "listen [::]:443 ssl http2;", "")
    site = replace(site, "server_name chibo.example.org;", f"server_name {HOST};")
    site = replace(site, "/etc/letsencrypt/live/chibo.example.org/fullchain.pem", str(cert))
    site = replace(site, "/etc/letsencrypt/live/chibo.example.org/privkey.pem", str(key))
    site = replace(site, "alias /var/lib/chibo/static/;", f"alias {static}/;")
    site = replace(site, "proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{upstream};")
    (tmp / "chibo.conf").write_text(site)
    # What Debian's /etc/nginx/nginx.conf gives a site, with every path in the test's directory.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {kind}_temp_path {tmp}/{kind};" for kind in
                      ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp / "nginx.conf"
    main.write_text(f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/access.log;
{temps}
    include {tmp}/chibo.conf;
}}
""")
    return main


def wait_for_port(port: int, procs: dict[str, subprocess.Popen], logs: list[Path], timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited {proc.returncode}:\n" + "\n".join(p.read_text() for p in logs
                                                                              if p.exists()))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port} after {timeout} s:\n" + "\n".join(p.read_text() for p in logs
                                                                            if p.exists()))


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class Client:
    def __init__(self, https_port: int, http_port: int, cafile: Path):
        self.https_port, self.http_port = https_port, http_port
        self.context = ssl.create_default_context(cafile=str(cafile))

    def request(self, method: str, path: str, *, source: str = CLIENT, headers: dict | None = None,
                body: bytes | None = None, tls: bool = True) -> tuple[int, dict[str, str], bytes]:
        if tls:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                HOST, self.https_port, context=self.context, source_address=(source, 0), timeout=30)
        else:
            conn = http.client.HTTPConnection(HOST, self.http_port, source_address=(source, 0), timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, database_copy, production_env):
    started = time.monotonic()
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("deploy")
    var_dir = tmp / "var"
    var_dir.mkdir()
    db = database_copy
    env = production_env(db.url, var_dir, CHIBO_API_BAD_TOKEN_RATE=f"{BAD_TOKEN_RATE}/min")
    chibo = str(BIN / "chibo")
    logs = {name: tmp / f"{name}.log" for name in ("gunicorn", "collectstatic", "token", "nginx")}
    procs: dict[str, subprocess.Popen] = {}
    handles = {name: path.open("w") for name, path in logs.items()}
    try:
        gunicorn_port, http_port, https_port = free_ports(3)
        # What an install does before starting the web unit (whitenoise reads the collected files at start).
        static = subprocess.Popen([chibo, "collectstatic", "--no-input", "-v", "0"], env=env, cwd=PROJECT,
                                  stdout=handles["collectstatic"], stderr=subprocess.STDOUT)
        token = subprocess.run([chibo, "token", "create", "ban.tochuc"], env=env, cwd=PROJECT,
                               capture_output=True, text=True, timeout=120)
        assert token.returncode == 0, token.stderr
        assert static.wait(timeout=120) == 0, logs["collectstatic"].read_text()
        [cmd] = exec_starts("chibo-web.service")
        assert cmd[0].endswith("/gunicorn") and cmd[-1] == "chibo.wsgi", cmd
        # Two workers are enough here; the unit's own count depends on the host's cores.
        procs["gunicorn"] = subprocess.Popen([*cmd, "--bind", f"127.0.0.1:{gunicorn_port}", "--workers", "2"],
                                             env=env, cwd=PROJECT, stdout=handles["gunicorn"],
                                             stderr=subprocess.STDOUT, start_new_session=True)

        files = [*logs.values(), tmp / "error.log"]
        # gunicorn holds its port before nginx starts, so whatever answers there is gunicorn.
        wait_for_port(gunicorn_port, procs, files)

        cert, key = self_signed(tmp)
        conf = nginx_conf(tmp, http_port=http_port, https_port=https_port, upstream=gunicorn_port, cert=cert,
                          key=key, static=var_dir / "static")
        check = subprocess.run([nginx, "-t", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused deploy/nginx/chibo.conf:\n{check.stderr}"
        procs["nginx"] = subprocess.Popen([nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                                          stdout=handles["nginx"], stderr=subprocess.STDOUT,
                                          start_new_session=True)
        wait_for_port(https_port, procs, files)
        wait_for_port(http_port, procs, files)
        print(f"deployment up in {time.monotonic() - started:.1f} s")
        yield {"client": Client(https_port, http_port, cert), "db": db, "token": token.stdout.split()[-1],
               "gunicorn_log": logs["gunicorn"], "static": var_dir / "static", "nginx_conf": conf}
    finally:
        if "nginx" in procs:
            stop(procs["nginx"], signal.SIGQUIT)
        if "gunicorn" in procs:
            stop(procs["gunicorn"])
        for handle in handles.values():
            handle.close()


def gunicorn_saw(stack, pattern: str, *, wait: float = 10.0) -> bool:
    """Whether gunicorn's access log has a line matching ``pattern``. gunicorn writes the line after the answer,
    so a match is waited for up to ``wait`` seconds (a busy machine can be slow to flush); an absence is read
    after a settled half second."""
    deadline = time.monotonic() + wait
    while True:
        if re.search(pattern, stack["gunicorn_log"].read_text(), re.M):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def gunicorn_missed(stack, pattern: str) -> bool:
    time.sleep(0.5)
    return not gunicorn_saw(stack, pattern, wait=0)


def test_nginx_in_front_of_gunicorn(stack):
    client: Client = stack["client"]
    token = {"Authorization": f"Token {stack['token']}"}

    # HTTP only redirects to HTTPS, with no version anywhere.
    status, headers, _ = client.request("GET", "/accounts/login/", tls=False)
    assert status == 301 and headers["location"] == f"https://{HOST}/accounts/login/", (status, headers)
    assert headers["server"] == "nginx"

    # Over TLS a page comes from Django with its security headers; the answer is not another redirect to HTTPS
    # and carries HSTS: Django saw X-Forwarded-Proto https.
    status, headers, body = client.request("GET", "/accounts/login/")
    assert status == 200, (status, headers)
    assert headers["server"] == "nginx", headers  # neither nginx's version nor gunicorn's name
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "__Host-csrftoken=" in headers.get("set-cookie", "") and "Secure" in headers["set-cookie"]

    # Static files: nginx serves what collectstatic wrote (hashed names), gunicorn never sees them.
    css = re.search(rb'href="(/static/chibo/chibo\.[0-9a-f]{12}\.css)"', body)
    assert css, "the page links no collected stylesheet"
    path = css.group(1).decode()
    status, headers, served = client.request("GET", path)
    assert status == 200 and served == (stack["static"] / path.removeprefix("/static/")).read_bytes()
    assert headers["content-type"].startswith("text/css")
    assert headers["x-content-type-options"] == "nosniff" and "strict-transport-security" in headers
    assert "max-age=2592000" in headers["cache-control"]
    status, headers, _ = client.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"  # the pre-compressed copy
    assert gunicorn_missed(stack, "/static/")

    # The import's cap: the file limit of the app below nginx's body cap, and the cap only the envelope above it.
    cap = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx" / "chibo.conf").read_text())
    assert cap, "deploy/nginx/chibo.conf sets no client_max_body_size"
    cap_bytes = int(cap.group(1)) * 1024 * 1024
    assert MAX_UPLOAD_BYTES < cap_bytes <= MAX_UPLOAD_BYTES + 2 * 1024 * 1024
    # A body over the cap is refused by nginx (JSON, no version) and never reaches gunicorn.
    conn = http.client.HTTPSConnection(HOST, client.https_port, context=client.context,
                                       source_address=(CLIENT, 0), timeout=30)
    conn.putrequest("POST", "/api/v1/imports/?oversize=1")
    for name, value in {**token, "Content-Type": "multipart/form-data; boundary=x",
                        "Content-Length": str(cap_bytes + 1)}.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    refused = response.read()
    conn.close()
    assert response.status == 413, (response.status, refused[:200])
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(refused)["detail"] and b"nginx/" not in refused
    assert gunicorn_missed(stack, "oversize")
    # A file one byte over the import's own limit gets through nginx, and Django refuses it in its words.
    boundary = "chibo-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    payload = head + b"a" * (MAX_UPLOAD_BYTES + 1) + tail
    assert len(payload) <= cap_bytes
    status, headers, answer = client.request("POST", "/api/v1/imports/?justover=1", body=payload, headers={
        **token, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 400 and "50 MB" in answer.decode(), (status, answer[:300])
    assert gunicorn_saw(stack, "justover")

    # The client's address reaches the audit log: not nginx's (127.0.0.1), not what it wrote in X-Forwarded-For.
    member_id = stack["db"].rows("SELECT id FROM members_member ORDER BY id LIMIT 1")[0][0]
    status, _, _ = client.request("GET", f"/api/v1/members/{member_id}/", source=CLIENT,
                                  headers={**token, "X-Forwarded-For": "203.0.113.50"})
    assert status == 200
    audited = stack["db"].rows("SELECT ip FROM core_auditevent WHERE action = %s AND object_id = %s "
                               "ORDER BY id DESC LIMIT 1", ("member.viewed", str(member_id)))
    assert audited == [(CLIENT,)], audited
    assert gunicorn_saw(stack, rf"^127\.0\.0\.1 \"GET /api/v1/members/{member_id}/ "), \
        "gunicorn should see nginx as its peer"

    # ... and the throttle: wrong tokens from one client are cut off at the rate, the others are not, and nobody
    # gets someone else cut off by naming their address in X-Forwarded-For.
    wrong = {"Authorization": "Token " + "x" * 40}
    answers = [client.request("GET", "/api/v1/units/", source=CLIENT, headers=wrong)[0]
               for _ in range(BAD_TOKEN_RATE + 1)]
    assert answers[:BAD_TOKEN_RATE] == [401] * BAD_TOKEN_RATE and answers[-1] == 429, answers
    assert client.request("GET", "/api/v1/units/", source=OTHER_CLIENT, headers=wrong)[0] == 401
    for _ in range(BAD_TOKEN_RATE):
        status = client.request("GET", "/api/v1/units/", source=SPOOFER,
                                headers={**wrong, "X-Forwarded-For": OTHER_CLIENT})[0]
        assert status == 401
    assert client.request("GET", "/api/v1/units/", source=SPOOFER, headers=wrong)[0] == 429
    assert client.request("GET", "/api/v1/units/", source=OTHER_CLIENT, headers=wrong)[0] == 401
