"""Globus Auth's HTTP surface: parse, check, call the model, format.

The service and its shared parsing are in ``service``; importing the
route modules here fills its route table.
"""

from __future__ import annotations

from . import api_routes, login, oauth_routes, policy_routes
from .login import auth_base_of, complete_authorization
from .service import AuthService

__all__ = [
    "AuthService",
    "api_routes",
    "auth_base_of",
    "complete_authorization",
    "login",
    "oauth_routes",
    "policy_routes",
]
