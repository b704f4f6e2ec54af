"""The queue adapter against a real Redis: names, deduplication, retention, outages."""

from __future__ import annotations

import pytest

from pricemon.config import Settings
from pricemon.embedded import free_port
from pricemon.queue import (
    CHECKS_QUEUE,
    KEEP_COMPLETED,
    SOCKET_TIMEOUT_S,
    QueueUnavailable,
    check_job_options,
    describe_redis_url,
    enqueue_check_all,
    enqueue_checks,
    enqueue_digest,
    open_queue,
    redis_client,
)


@pytest.fixture
def qsettings(redis_url: str) -> Settings:
    return Settings(redis_url=redis_url, check_attempts=4, check_backoff_s=2.5)


async def test_a_product_never_has_two_pending_checks(qsettings: Settings) -> None:
    first = await enqueue_checks(qsettings, [1, 2, 2])
    again = await enqueue_checks(qsettings, [2, 1, 3])
    assert len(first) == 2
    assert again[:2] == [first[1], first[0]]  # the pending jobs, not new ones
    assert again[2] not in first
    async with open_queue(qsettings, CHECKS_QUEUE) as queue:
        assert await queue.getJobCountByTypes("waiting") == 3
        job = await queue.getJob(first[0])
    assert job is not None and job.data == {"product_id": 1}
    assert job.opts["attempts"] == 4
    assert job.opts["backoff"] == {"type": "exponential", "delay": 2500}


async def test_job_ids_have_no_colon(qsettings: Settings) -> None:
    ids = [*await enqueue_checks(qsettings, [7]), await enqueue_check_all(qsettings)]
    ids.append(await enqueue_digest(qsettings, to=["a@example.com"], refresh=False))
    assert all(":" not in job_id for job_id in ids)


async def test_check_all_is_deduplicated_while_pending(qsettings: Settings) -> None:
    assert await enqueue_check_all(qsettings) == await enqueue_check_all(qsettings)


def test_finished_jobs_are_kept_in_bounded_numbers(qsettings: Settings) -> None:
    options = check_job_options(qsettings, 5)
    assert options["removeOnComplete"] == KEEP_COMPLETED
    assert options["removeOnFail"]["count"] > 0
    assert options["deduplication"] == {"id": "check-product-5"}


def test_clients_wait_longer_than_bullmq_blocks(qsettings: Settings) -> None:
    client = redis_client(qsettings)
    assert client.connection_pool.connection_kwargs["socket_timeout"] == SOCKET_TIMEOUT_S
    assert SOCKET_TIMEOUT_S > 10  # bullmq's default_maximum_block_timeout


async def test_unreachable_redis_is_queue_unavailable() -> None:
    settings = Settings(redis_url=f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    with pytest.raises(QueueUnavailable) as caught:
        await enqueue_checks(settings, [1])
    assert "cannot reach Redis at REDIS_URL" in caught.value.message
    assert "s3cret" not in caught.value.message
    assert caught.value.hint and "REDIS_URL" in caught.value.hint


async def test_missing_redis_url_is_queue_unavailable() -> None:
    with pytest.raises(QueueUnavailable, match="REDIS_URL is not set"):
        await enqueue_checks(Settings(), [1])


def test_passwords_are_hidden_in_messages() -> None:
    assert describe_redis_url("redis://user:pw@host:6379/0") == "redis://user:***@host:6379/0"
    assert describe_redis_url("redis://host:6379/0") == "redis://host:6379/0"
