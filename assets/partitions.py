"""Districts are partitions: one independent run per district, kept in step with hub.yaml."""

import dagster as dg

DISTRICTS = dg.DynamicPartitionsDefinition(name="districts")
