"""Where several Rasa servers keep what they share: conversations and locks (issue 17).

`bot/endpoints.shared.yml` names these two classes; `bot/endpoints.yml` (one process, for
development and the tests) keeps conversations in memory.

- `MaskedSQLTrackerStore`: Rasa's SQL tracker store, configured by one SQLAlchemy URL
  (LOKET_TRACKER_DB_URL, e.g. postgresql://loket@db:5432/loket_bot), that masks BSNs and
  IBANs in every event before it is written: the raw chat text stays in a server's memory for
  the turn only. What the next turn reads back is masked too, which the router would have
  done to the ticket anyway. `loket worker`'s tracker-purge job deletes old conversations.
- `RedisUrlLockStore`: Rasa's Redis lock store, configured by one URL (LOKET_REDIS_URL), so
  that two messages of one conversation arriving at two servers are handled one at a time.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from loket_masking import mask_personal_data
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# Keys whose values are identifiers, never text someone typed: left as they are.
_NOT_TEXT = frozenset(("event", "name", "message_id", "input_channel", "policy", "timestamp"))


def masked(value: Any) -> Any:
    """`value` (an event as a dict, or any part of one) with every string masked."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {k: v if k in _NOT_TEXT else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


class MaskedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore from one URL, writing every event masked."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        if not host:
            raise ValueError("the tracker store needs LOKET_TRACKER_DB_URL (a SQLAlchemy URL)")
        url = urlsplit(host)
        super().__init__(
            domain=domain,
            dialect=url.scheme,
            host=url.hostname,
            port=url.port,
            db=unquote(url.path[1:]),  # sqlite:////abs/path keeps its leading slash
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            query=dict(parse_qsl(url.query)),
            event_broker=event_broker,
            **kwargs,
        )
        logger.info("bot.tracker_store kind=sql masked=true dialect=%s", url.scheme)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save, with each event masked before it is serialised."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = masked(event.as_dict())
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()


class RedisUrlLockStore(RedisLockStore):
    """RedisLockStore from one URL (redis://[:password@]host:port/db)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        if not endpoint_config.url:
            raise ValueError("the lock store needs LOKET_REDIS_URL (redis://host:port/db)")
        url = urlsplit(endpoint_config.url)
        super().__init__(
            host=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.path[1:] or 0),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_ssl=url.scheme == "rediss",
            key_prefix=endpoint_config.kwargs.get("key_prefix"),
        )
        logger.info("bot.lock_store kind=redis")
