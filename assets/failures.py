"""How a step fails: transient faults retry with backoff, everything else fails once with its message.

The Dagster event log keeps the full trace (the original error is the Failure's cause); the description is
the one line an IT person reads: a HubError's own message, or for anything else (a bug in the hub) its type
and text, marked unexpected as the CLI marks it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from hub.errors import HubError
from hub.transient import is_transient

# Only transient faults reach this policy: every other error becomes a Failure that forbids retries.
RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
# Run-level retries (dagster.yaml run_retries) are for crashed run workers, never for a failed step.
NO_RUN_RETRY_TAGS = {"dagster/retry_on_asset_or_op_failure": "false"}


@contextmanager
def failing_once() -> Iterator[None]:
    try:
        yield
    except (dg.Failure, dg.RetryRequested):
        raise
    except Exception as error:
        if is_transient(error):
            raise
        described = (
            str(error)
            if isinstance(error, HubError)
            else f"unexpected error: {type(error).__name__}: {error}"
        )
        raise dg.Failure(description=described, allow_retries=False) from error
