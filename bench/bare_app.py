"""A bare Flask app serving the bytes bench/http_bench.py saved from the real app ($BARE_DIR/manifest.json):
the same pages at the same paths, no database, no templates, no sessions. The yardstick of the ratio."""

import json
import os
from pathlib import Path

from flask import Flask, Response, abort, request

folder = Path(os.environ["BARE_DIR"])
manifest = json.loads((folder / "manifest.json").read_text())
pages = {path: (folder / name).read_bytes() for path, name in manifest.items()}
app = Flask(__name__)


@app.route("/healthz")
def healthz():
    return "ok"


@app.route("/", defaults={"rest": ""})
@app.route("/<path:rest>")
def page(rest):
    path = request.full_path if request.query_string else request.path
    body = pages.get(path)
    if body is None:
        abort(404)
    return Response(body, content_type="text/html; charset=utf-8")
