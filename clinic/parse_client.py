"""Classifying text with the running model, from the action server: Rasa's ``/model/parse``.

``action_answer_several_questions`` sends each question of a several-question message through
the same NLU pipeline as a whole message (the same classifier, entities, crisis screen), so a
part is understood exactly as it would be on its own. Only messages split into parts pay for
this; the parts are parsed concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp

from clinic.rasa_api import api_token, default_rasa_url

logger = logging.getLogger(__name__)


class ParseUnavailable(Exception):
    """The Rasa server did not parse a text."""


async def parse_texts(texts: list[str]) -> list[dict[str, Any]]:
    """Rasa's parse result for each text, in order."""
    url = f"{default_rasa_url()}/model/parse"
    timeout = aiohttp.ClientTimeout(total=float(os.environ.get("RASA_API_TIMEOUT", "5")))
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def parse(text: str) -> dict[str, Any]:
                async with session.post(url, params={"token": api_token()}, json={"text": text}) as response:
                    response.raise_for_status()
                    return await response.json()

            return list(await asyncio.gather(*(parse(text) for text in texts)))
    except (TimeoutError, aiohttp.ClientError) as error:
        logger.warning("event=parse_unavailable error=%s", type(error).__name__)
        raise ParseUnavailable(str(error)) from error
