"""The dbt docs that Cosmos serves under /cosmos/ answer only to a logged-in user.

Cosmos mounts its docs app without authentication, while the rest of the UI and
the API require a login. This root middleware of the api-server resolves the
caller from the same JWT the UI uses (the Authorization header or the UI's
cookie) before any /cosmos/ request reaches Cosmos.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from fastapi import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse

PROTECTED = "/cosmos/"


class DocsLogin(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path.startswith(PROTECTED):
            from airflow.api_fastapi.auth.managers.base_auth_manager import (
                COOKIE_NAME_JWT_TOKEN,
            )
            from airflow.api_fastapi.core_api.security import resolve_user_from_token

            header = request.headers.get("authorization", "")
            token = (
                header[7:]
                if header.lower().startswith("bearer ")
                else request.cookies.get(COOKIE_NAME_JWT_TOKEN)
            )
            try:
                await resolve_user_from_token(token)
            except HTTPException as exc:
                return PlainTextResponse("请先登录 Airflow / log in first", exc.status_code)
        return await call_next(request)


class DocsLoginPlugin(AirflowPlugin):
    name = "yigongti_docs_login"
    fastapi_root_middlewares = [{"middleware": DocsLogin, "name": "yigongti_docs_login"}]
