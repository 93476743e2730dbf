"""Linked-data pages: /, /id/..., /page/..., /data/..., ontology and concept documentation."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter()
