"""How many tokens each part of a prompt may take, so that the whole prompt fits the model.

The chain asks two questions of the model's context window: how much history the condensing
prompt may carry, and how many passages the answer prompt may carry. Both are answered here, on
one window and one tokenizer, so the two prompts cannot disagree about what fits. Counts use the
model's own tokenizer where tiktoken has it and a bundled one otherwise, so a margin is kept for
tokenizers that count differently (local models, the o200k fallback).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.history import HISTORY_TOKENS, MESSAGE_OVERHEAD_TOKENS
from assistant.answer.prompts import answer_prompt, load_prompt
from assistant.models import ANSWER_RESERVE_TOKENS, context_window, counting_model
from assistant.settings import Settings
from assistant.tokens import count_tokens

REPLY_PRIMING_TOKENS = 3
CONDENSE_RESERVE_TOKENS = 256


@dataclass(frozen=True)
class PromptBudget:
    """The token room of one model's window, shared out between prompt parts."""

    settings: Settings
    window: int
    token_model: str | None

    @classmethod
    def of(cls, settings: Settings, model_name: str) -> PromptBudget:
        window = context_window(model_name, getattr(settings, "model_context_tokens", None))
        return cls(settings, window, counting_model(model_name))

    @property
    def margin(self) -> int:
        """Slack for tokenizers that count differently from ours."""
        return min(self.window // 20, 2_048)

    def count(self, text: str) -> int:
        return count_tokens(text, self.token_model)

    def history(self, question: str) -> int:
        """Tokens the earlier turns may take in the condensing prompt."""
        template = load_prompt(self.settings.prompts_dir, "condense.md")
        fixed = self.count(template) + self.count(question)
        return min(HISTORY_TOKENS, self.window - fixed - CONDENSE_RESERVE_TOKENS - self.margin)

    def passages(self, question: str) -> int:
        """Tokens the numbered passages may take in the answer prompt."""
        fixed = self._prompt_tokens({"passages": "", "question": question})
        reserve = min(ANSWER_RESERVE_TOKENS, self.window // 4)
        room = self.window - fixed - reserve - self.margin
        return max(0, min(self.settings.context_token_budget, room))

    def _prompt_tokens(self, values: dict[str, str]) -> int:
        messages = answer_prompt(self.settings.prompts_dir).format_messages(**values)
        return REPLY_PRIMING_TOKENS + sum(
            MESSAGE_OVERHEAD_TOKENS + self.count(m.text) for m in messages
        )
