"""The documented information a stage 1 audit reviews, and the state of each document.

Stage 1 reviews the client's documented information (ISO/IEC 17021-1 9.3.1.2); the bank lists
the documents ISO/IEC 20000-1:2018 requires, each with its clause (bank `documents`). An
answer yes / partial / no reads as exists / in draft / missing. These answers feed no maturity
and no readiness: the maturity questions already weigh the same evidence, and counting it
twice would move every area when the list grows.
"""

from __future__ import annotations

from collections.abc import Mapping

from iso20k_core.answers import AnswerValue
from iso20k_core.results import DocumentResult, DocumentState
from iso20k_core.standard import Bank

STATES: dict[str, DocumentState] = {"yes": "exists", "partial": "in draft", "no": "missing"}


def stage1_documents(bank: Bank, answers: Mapping[str, AnswerValue]) -> tuple[DocumentResult, ...]:
    return tuple(
        DocumentResult(
            id=q.id,
            document=q.document or q.text,
            clause=q.clause or "",
            state=STATES.get(str(answers.get(q.id)), "not answered"),
        )
        for q in bank.document_questions
    )
