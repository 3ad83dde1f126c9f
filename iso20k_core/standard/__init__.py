"""The structure of ISO/IEC 20000-1:2018 and the versioned question bank."""

from iso20k_core.standard.bank import (
    Area,
    Bank,
    BankError,
    Question,
    Section,
    available_versions,
    check_translations,
    checked_bank,
    english_bank,
    in_active_language,
    load_bank,
)

__all__ = [
    "Area",
    "Bank",
    "BankError",
    "Question",
    "Section",
    "available_versions",
    "check_translations",
    "checked_bank",
    "english_bank",
    "in_active_language",
    "load_bank",
]
