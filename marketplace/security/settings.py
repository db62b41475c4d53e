"""Settings that production refuses to run without, and the Host names the app answers to."""

from urllib.parse import urlsplit

MIN_SECRET_KEY_BYTES = 32


class UnsafeSettings(RuntimeError):
    """Production was started with weak or missing settings; the message lists every problem."""


def _base_url_problem(value):
    if not value:
        return (
            "EXTERNAL_BASE_URL is not set: e-mail links (password reset, alerts) need the public address, "
            "e.g. EXTERNAL_BASE_URL=https://jxtm.example.cn"
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"EXTERNAL_BASE_URL={value!r} is not an absolute http(s) address such as https://jxtm.example.cn"
    return None


def production_problems(config):
    """Every reason why these settings are unfit for production, as readable sentences (empty: fine)."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    size = len(key.encode() if isinstance(key, str) else key)
    if not key:
        problems.append("SECRET_KEY is not set in the environment")
    elif size < MIN_SECRET_KEY_BYTES:
        problems.append(
            f"SECRET_KEY is {size} bytes long; it needs at least {MIN_SECRET_KEY_BYTES} random bytes "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    base_problem = _base_url_problem(config.get("EXTERNAL_BASE_URL"))
    if base_problem:
        problems.append(base_problem)
    hosts = config.get("TRUSTED_HOSTS")
    base_host = urlsplit(config.get("EXTERNAL_BASE_URL") or "").hostname
    if hosts is not None and base_host and not host_is_trusted(base_host, hosts):
        problems.append(f"TRUSTED_HOSTS={','.join(hosts)} does not include the host of EXTERNAL_BASE_URL ({base_host})")
    return problems


def check_production(config):
    """Raise UnsafeSettings listing each problem when production settings are weak; fill TRUSTED_HOSTS."""
    if config.get("ENV_NAME") != "production":
        return
    problems = production_problems(config)
    if problems:
        raise UnsafeSettings(
            "refusing to start in production (MARKETPLACE_ENV=production):\n" + "\n".join(f"  - {p}" for p in problems)
        )
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = [urlsplit(config["EXTERNAL_BASE_URL"]).hostname]


def parse_hosts(value):
    """'a.example, b.example' -> ['a.example', 'b.example']; empty or unset -> None (any Host accepted)."""
    hosts = [h.strip().lower() for h in (value or "").split(",") if h.strip()]
    return hosts or None


def host_is_trusted(host, trusted):
    """Flask's rule: an exact name, or '.example.cn' for the domain and its subdomains."""
    host = host.lower()
    for name in trusted:
        if name.startswith(".") and (host == name[1:] or host.endswith(name)):
            return True
        if host == name:
            return True
    return False
