"""Security headers on every response (issue 11, finding 4).

The Content-Security-Policy allows scripts and styles from this site only: no inline <script>, no on*=
attributes, no style="..." attributes (templates use static/js/<feature>.js, data-* attributes and CSS
classes). Pages cannot be framed (clickjacking), content types are not sniffed, the Referer stays on this site,
powerful browser features are off except the camera for this site (QR check-in), and production adds HSTS.
"""


def _headers(config):
    headers = {
        "Content-Security-Policy": config["CONTENT_SECURITY_POLICY"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
        "Referrer-Policy": config["REFERRER_POLICY"],
        "Permissions-Policy": config["PERMISSIONS_POLICY"],
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if config["HSTS_SECONDS"]:
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_SECONDS'])}; includeSubDomains"
    return headers


def init_app(app):
    headers = _headers(app.config)

    @app.after_request
    def _security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
