"""Records the system keeps instead of people: the reception logbook, periodic reports,
calendar feeds and open data. Pure functions from domain records to documents, plus the
reads through the Store port that feed them; no channel, HTTP or SQL here."""

from bot.records import logbook, report, scope

__all__ = ["logbook", "report", "scope"]
