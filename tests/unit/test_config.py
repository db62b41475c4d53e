"""Every configuration key the code reads is declared once in Config, with its default (no inline defaults)."""

import re
from pathlib import Path

from marketplace.config import Config, ProductionConfig, TestConfig

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "marketplace").rglob("*.py")) + [ROOT / "wsgi.py"]

READ = re.compile(r"""config(?:\[|\.get\(|\.setdefault\()\s*["']([A-Z][A-Z0-9_]*)["']""")
INLINE_DEFAULT = re.compile(r"""config\.(?:get|setdefault)\(\s*["']([A-Z][A-Z0-9_]*)["']\s*,""")


def _reads(pattern):
    found = {}
    for path in SOURCES:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_key_the_code_reads_is_declared_in_config():
    reads = _reads(READ)
    assert "SEARCH_PER_PAGE" in reads  # the scan sees the code
    undeclared = {key: where for key, where in reads.items() if not hasattr(Config, key)}
    assert undeclared == {}, f"declare these in marketplace/config.py Config: {undeclared}"


def test_no_key_is_read_with_an_inline_default():
    inline = _reads(INLINE_DEFAULT)
    assert inline == {}, f"give these their default in Config instead: {inline}"


def test_other_configs_only_override_declared_keys():
    for cls in (ProductionConfig, TestConfig):
        extra = {k for k in vars(cls) if k.isupper() and not hasattr(Config, k) and k != "TESTING"}
        assert extra == set(), f"{cls.__name__} sets keys Config does not declare: {extra}"


def test_the_scan_catches_an_undeclared_key(tmp_path):
    sample = 'x = current_app.config.get("NOT_A_SETTING", 3)\ny = app.config["ALSO_NOT"]\n'
    assert {m.group(1) for m in READ.finditer(sample)} == {"NOT_A_SETTING", "ALSO_NOT"}
    assert [m.group(1) for m in INLINE_DEFAULT.finditer(sample)] == ["NOT_A_SETTING"]
