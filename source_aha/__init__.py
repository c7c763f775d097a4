"""Airbyte source connector for Aha! Ideas."""

from source_aha.source import SourceAha

__all__ = ["SourceAha"]
