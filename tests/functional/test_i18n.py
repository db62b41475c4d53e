"""The interface is Chinese by default and English after ?lang=en; the English catalogue is complete.

When a catalogue test fails: run bin/i18n, write the English for every new msgid in
marketplace/translations/en/LC_MESSAGES/messages.po, run bin/i18n again and commit the .po and the .mo.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES"
HOW_TO_FIX = (
    "run bin/i18n, translate the listed msgids in marketplace/translations/en/LC_MESSAGES/messages.po, "
    "then run bin/i18n again and commit messages.po and messages.mo"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _text(resp):
    return resp.get_data(as_text=True)


def _register_with_bad_email(client):
    return client.post(
        "/account/register",
        data={
            "email": "not-an-email",
            "name": "张三",
            "role": "researcher",
            "password": "赣江边的一棵老樟树",
            "confirm": "赣江边的一棵老樟树",
            "org_choice": "new",
            "org_name": "南昌大学",
            "org_type": "university",
            "region": "nanchang",
        },
    )


# ---------------------------------------------------------------- pages


def test_navigation_is_chinese_by_default(client):
    page = _text(client.get("/"))
    assert 'lang="zh-CN"' in page
    for text in ("科技成果", "技术需求", "登录", "注册", "江西技术交易市场"):
        assert text in page
    assert ">English</a>" in page  # the switch offers the other language
    assert "Sign in" not in page


def test_lang_en_switches_the_navigation_and_is_remembered(client):
    page = _text(client.get("/?lang=en"))
    assert 'lang="en"' in page
    for text in ("Achievements", "Needs", "Sign in", "Register", "Jiangxi Technology Market"):
        assert text in page
    assert ">中文</a>" in page
    assert "科技成果" not in page

    # No ?lang on the next page: the choice is kept in the session.
    assert "Sign in" in _text(client.get("/achievements"))

    page = _text(client.get("/?lang=zh"))
    assert "登录" in page and "Sign in" not in page
    assert "登录" in _text(client.get("/achievements"))


def test_login_form_in_english_and_chinese(client, factory):
    factory.user(email="li@example.cn")
    page = _text(client.get("/account/login"))
    assert "邮箱" in page and "密码" in page

    page = _text(client.get("/account/login?lang=en"))
    assert ">Email</label>" in page
    assert ">Password</label>" in page
    assert "Forgot your password?" in page

    page = _text(
        client.post(
            "/account/login", data={"email": "li@example.cn", "password": "wrong password"}, follow_redirects=True
        )
    )
    assert "Incorrect email or password" in page
    assert "邮箱或密码不正确" not in page


def test_register_form_errors_in_english_and_chinese(client):
    page = _text(_register_with_bad_email(client))
    assert "邮箱格式不正确" in page

    client.get("/?lang=en")
    page = _text(_register_with_bad_email(client))
    assert "Invalid email address" in page
    assert "邮箱格式不正确" not in page
    for label in ("Email", "Name", "Password", "Confirm password", "Organisation name", "Region"):
        assert f">{label}</label>" in page, label
    assert "University" in page  # a taxonomy label (organisation types) in the select


def test_signed_in_navigation_in_english(client, factory, login):
    login(factory.user("operator"))
    page = _text(client.get("/?lang=en"))
    for text in ("My workspace", "Operations", "Account settings", "Sign out"):
        assert text in page
    page = _text(client.get("/ops/"))
    assert "Content review" in page
    assert "内容审核" not in page


def test_a_user_who_chose_english_gets_it_without_the_switch(client, factory, login):
    login(factory.user(locale="en"))
    page = _text(client.get("/"))
    assert "My workspace" in page and "我的工作台" not in page
    # The switch still wins for this browser.
    assert "我的工作台" in _text(client.get("/?lang=zh"))


def test_error_page_in_english(client):
    client.get("/?lang=en")
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "The page does not exist" in _text(resp)


# ---------------------------------------------------------------- the catalogue


@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE_DIR / "messages.po", "rb") as fh:
        return read_po(fh)


def _source_msgids():
    """The msgids pybabel would extract now (same mapping and options as bin/i18n)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}

    def keep_dir(path):  # like bin/i18n's --ignore-dirs: templates/_macros must be scanned
        name = Path(path).name
        return not name.startswith(".") and name != "__pycache__"

    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=keep_dir
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_msgid_in_the_catalogue_has_english(catalogue):
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert not missing, f"{len(missing)} msgid(s) without English: {missing[:20]} - {HOW_TO_FIX}"


def test_translations_keep_their_placeholders(catalogue):
    broken = [
        (m.id, m.string)
        for m in catalogue
        if m.id and m.string and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert not broken, f"the English must keep the %(name)s placeholders of the msgid: {broken}"


def test_every_string_in_the_source_is_in_the_catalogue(catalogue):
    known = {m.id for m in catalogue}
    new = {msgid: where for msgid, where in _source_msgids().items() if msgid not in known}
    assert not new, f"{len(new)} new string(s) not in the catalogue: {list(new.items())[:20]} - {HOW_TO_FIX}"


def test_compiled_catalogue_matches_the_po(catalogue):
    with open(CATALOGUE_DIR / "messages.mo", "rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    stale = [m.id for m in catalogue if m.id and compiled.get(m.id) != m.string]
    assert not stale, f"messages.mo is out of date for {stale[:20]} - {HOW_TO_FIX}"
