"""The SPARQL 1.1 Protocol endpoint at /sparql."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter()
