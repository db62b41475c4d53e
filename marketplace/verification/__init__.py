"""Organisation verification evidence: 营业执照 / 法人证书 uploaded with the 统一社会信用代码 when a member asks
for verification; operators see the file and the code side by side and are the only ones who can open it."""
from flask import Blueprint

bp = Blueprint("verification", __name__)

from . import views  # noqa: E402,F401
