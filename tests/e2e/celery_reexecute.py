"""Re-execute a failed night from its failed step, as the UI's "Re-execute from failure" does, in a process
of its own (the environment names the instance and hub.yaml): ``python celery_reexecute.py RUN_ID``.

Prints the new run's id; exits 0 when it succeeded.
"""

from __future__ import annotations

import sys

import dagster as dg

from assets.definitions import night_job


def main(parent_run_id: str) -> int:
    night = dg.reconstructable(night_job)
    with dg.DagsterInstance.get() as instance:
        options = dg.ReexecutionOptions.from_failure(parent_run_id, instance)
        parent = instance.get_run_by_id(parent_run_id)
        partition = {"dagster/partition": parent.tags["dagster/partition"]}  # the district, as the UI does
        with dg.execute_job(
            night, instance, reexecution_options=options, tags=partition, raise_on_error=False
        ) as result:
            print(result.run_id)
            return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
