"""Organisation verification evidence: 营业执照 / 法人证书 uploaded with the 统一社会信用代码 when a member asks
for verification; operators see the file and the code side by side and are the only ones who can open it."""
# The blueprint lives in views.py (imported by the application factory only, to keep imports acyclic).
