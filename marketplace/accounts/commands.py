"""`flask users ...`: create operator accounts and list users."""

import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from .models import User
from .passwords import password_problem
from .services import create_operator, find_user_by_email
from .validation import clean_email, clean_text, email_problem

users_cli = AppGroup("users", help="用户账号管理。")


@users_cli.command("create-operator")
@click.option("--email", required=True, help="运营人员的登录邮箱")
@click.option("--name", required=True, help="姓名")
@click.option("--password", help="密码（不给出时在终端中隐藏输入）")
def create_operator_command(email, name, password):
    """Create an operator account in the 运营中心 organisation."""
    email, name = clean_email(email), clean_text(name)
    if email_problem(email):
        raise click.BadParameter("邮箱格式不正确", param_hint="--email")
    if not name or len(name) > 60:
        raise click.BadParameter("姓名不能为空，且不超过 60 个字符", param_hint="--name")
    if find_user_by_email(email) is not None:
        raise click.ClickException(f"该邮箱已注册：{email}")
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError("非交互环境请用 --password 给出密码")
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(str(problem), param_hint="--password")
    user = create_operator(email, name, password)
    db.session.commit()
    click.echo(f"已创建运营人员 {user.email}（{user.name}），机构：{user.organisation.name}")


@users_cli.command("list")
@click.option("--role", help="只列出该身份的用户（researcher、company、investor、operator）")
def list_command(role):
    """List users: id, email, role, status, organisation."""
    stmt = db.select(User).order_by(User.id)
    if role:
        stmt = stmt.where(User.role == role)
    for user in db.session.execute(stmt).scalars():
        status = "disabled" if user.is_disabled else user.membership_status
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{status}\t{user.organisation.name}")


COMMANDS = [users_cli]
