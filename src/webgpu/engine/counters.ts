/**
 * Counts of what the engine creates and records, so tests can assert counted (never timed)
 * properties: one submit per training step, a bounded number of dispatches, and nothing created
 * after the first step.
 */
export interface GpuCounters {
  buffersCreated: number;
  pipelinesCreated: number;
  bindGroupsCreated: number;
  submits: number;
  dispatches: number;
}

export function newCounters(): GpuCounters {
  return { buffersCreated: 0, pipelinesCreated: 0, bindGroupsCreated: 0, submits: 0, dispatches: 0 };
}
