"""The query UI (YASGUI, installed from npm) at /query."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter()
