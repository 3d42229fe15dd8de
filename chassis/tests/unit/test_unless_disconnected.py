import asyncio

import pytest
from fastapi import Request

from chassis import ProblemError, unless_disconnected


def request(messages: "asyncio.Queue[dict[str, str]]") -> Request:
    return Request({"type": "http", "headers": []}, receive=messages.get)


async def test_the_work_is_cancelled_when_the_client_goes_away() -> None:
    messages: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(30)
        finished.set()
        return "late"

    pending = asyncio.ensure_future(unless_disconnected(request(messages), slow()))
    await started.wait()
    await messages.put({"type": "http.disconnect"})
    with pytest.raises(ProblemError):
        await pending
    assert not finished.is_set()


async def test_the_answer_comes_back_while_the_client_waits() -> None:
    messages: asyncio.Queue[dict[str, str]] = asyncio.Queue()

    async def quick() -> str:
        return "answer"

    assert await unless_disconnected(request(messages), quick()) == "answer"
