"""The audit event codes the market records, with their labels for the operators' page.

Features may record other codes (e.g. the sign-in throttling's own events); the page shows those by code.
"""

from flask_babel import lazy_gettext as _l

EVENTS = {
    "auth.login": _l("登录"),
    "auth.logout": _l("退出登录"),
    "auth.password_change": _l("修改密码"),
    "auth.password_reset_request": _l("申请重置密码"),
    "auth.password_reset": _l("重置密码"),
    "account.register": _l("注册账号"),
    "account.profile_update": _l("修改个人资料"),
    "account.data_export": _l("下载个人数据"),
    "account.delete": _l("注销账号"),
    "privacy.consent": _l("同意隐私政策"),
    "user.disable": _l("停用账号"),
    "user.enable": _l("启用账号"),
    "user.membership_approve": _l("确认机构成员"),
    "user.role_change": _l("变更用户角色"),
    "nda.sign": _l("签署保密协议"),
    "org.update": _l("修改机构信息"),
    "org.verification_request": _l("申请机构认证"),
    "org.evidence_upload": _l("上传认证材料"),
    "org.evidence_view": _l("查看认证材料"),
    "org.verify": _l("通过机构认证"),
    "org.reject": _l("驳回机构认证"),
    "export.listings": _l("导出成果与需求"),
    "export.audit": _l("导出审计日志"),
    "audit.purge": _l("清理过期审计日志"),
    # Sign-in throttling and sessions (accounts/security_events.py)
    "auth.reauthenticate": _l("敏感操作前验证密码"),
    "login_lockout": _l("账号因多次登录失败被锁定"),
    "login_ip_locked": _l("网络地址因多次登录失败被锁定"),
    "login_unlocked": _l("运营人员解除锁定"),
    "rate_limited": _l("请求过于频繁被拒绝"),
    "session_revoked": _l("退出某台设备的登录"),
    "sessions_revoked": _l("退出其他设备的登录"),
    "email_changed": _l("修改登录邮箱"),
}

OUTCOMES = {
    "success": _l("成功"),
    "failure": _l("失败"),
    "denied": _l("拒绝"),
    "locked": _l("已锁定"),
    "unlocked": _l("已解锁"),
    "refused": _l("已拒绝"),
    "signed_out": _l("已退出"),
    "changed": _l("已修改"),
}


def event_label(code):
    return str(EVENTS.get(code, code))


def outcome_label(code):
    return str(OUTCOMES.get(code, code))
