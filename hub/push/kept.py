"""A set of reports a destination already confirmed, known as such without reading or hashing a body.

After a push in which the destination confirmed every report it takes, the caller keeps a key (``sent_key``):
the set's own digest (each report's address and content digest, taken once when it was rendered), what the
destination is (its connector, what it takes, the settings that shape a send), and its ledger as the push
left it (each target's confirmed hash and attempts). While the key stays the same, every report of the set
hashes to what its target confirmed, so the driver would plan nothing but "unchanged": ``kept_push`` records
exactly that (the ledger's log keeps its line per target) and sends nothing. Anything that moves the key (a
report, a setting, a failure, a send by another run) makes the next push plan and hash as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from hub.connector import DestinationConnector, PushOutcome
from hub.push.driver import PushRecord, config_fingerprint
from hub.push.ledger import Address, Entry, Ledger


def sent_key(set_digest: str, connector: DestinationConnector, ledger: Ledger) -> str:
    """What must stay the same for a push of the set ``set_digest`` to have nothing to send."""
    digest = hashlib.sha256()
    what = [set_digest, config_fingerprint(connector), connector.accepts, connector.content_types]
    digest.update(json.dumps(what, default=str).encode())
    for address, state in sorted(ledger.states().items(), key=lambda item: _order(item[0])):
        digest.update(f"{_order(address)}\x1e{state.content_hash}\x1e{state.attempts}\n".encode())
    return digest.hexdigest()


def kept_push(ledger: Ledger, reports: Sequence[tuple[Address, int]]) -> list[PushRecord]:
    """The records (and the ledger's log lines) of a push that found every report (address, bytes) as its
    target confirmed it; raises ``KeyError`` for a report whose target has no confirmed hash."""
    states = ledger.states()
    records = []
    for address, size in reports:
        confirmed = states[address].content_hash
        if confirmed is None:
            raise KeyError(address)
        records.append(
            PushRecord(
                address.kind,
                address.target,
                address.content_type,
                "unchanged",
                confirmed,
                size,
                PushOutcome.UNCHANGED,
            )
        )
    ledger.record([Entry(r.address, r.content_hash, PushOutcome.UNCHANGED) for r in records])
    return records


def _order(address: Address) -> str:
    return f"{address.kind}\x1f{address.target}\x1f{address.content_type}"
