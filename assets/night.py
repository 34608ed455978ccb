"""The night's steps as Dagster assets: one asset per step of ``hub.pipeline.night.NIGHT``, made here.

An asset body opens the district, runs its step, and shows the step's result (``assets.results``); what
runs, in which order and by which rule is the step's business, not the asset's.
"""

import dagster as dg

from assets.partitions import DISTRICTS
from assets.resources import HubResource
from assets.results import SHOWN
from hub.pipeline.night import NIGHT, Step, run_step


def step_asset(step: Step) -> dg.AssetsDefinition:
    """The asset (with its parts, where the step writes more than one key) of ``step``."""
    shown = SHOWN[step.result]
    specs = [
        dg.AssetSpec(name, deps=list(reads), kinds=shown.kinds, description=about)
        for name, reads, about in [
            (step.name, step.reads, step.about),
            *((part.name, part.reads, part.about) for part in step.parts),
        ]
    ]
    checks = [
        dg.AssetCheckSpec(check, asset=step.name, blocking=True, description=description)
        for check, description in shown.checks
    ]

    @dg.multi_asset(
        name=step.name,
        specs=specs,
        check_specs=checks or None,
        partitions_def=DISTRICTS,
        group_name=step.stage,
        retry_policy=shown.retry,
    )
    def _step(context: dg.AssetExecutionContext, hub: HubResource):
        with hub.opened(context.partition_key) as run:
            result = run_step(step, run)
        yield from shown.show(result)

    return _step


ASSETS = [step_asset(step) for step in NIGHT]
