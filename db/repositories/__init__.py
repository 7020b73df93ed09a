"""Repositories over one AsyncSession; they never commit (the per-update middleware does, once)."""

from db.repositories.base import Repos, StatsRepo, UpdatesRepo, UsersRepo
from db.repositories.cases import CaseMessagesRepo, CasesRepo, StaffRepo
from db.repositories.news import NewsRepo
from db.repositories.outbox import OutboxRepo

__all__ = ["CaseMessagesRepo", "CasesRepo", "NewsRepo", "OutboxRepo", "Repos", "StaffRepo", "StatsRepo", "UpdatesRepo",
           "UsersRepo"]
