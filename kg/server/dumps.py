"""The release's dumps at /dumps/ and its VoID at /.well-known/void."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter()
