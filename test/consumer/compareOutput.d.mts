// Types of test/consumer/compareOutput.mjs, for test/consumer/readmeBlocks.test.ts under `strict`.

/** null when `printed` matches the README's `expected` output (decimals within `tolerance`, default 0.02; cpu/webgpu interchangeable), else one line saying where they first differ. */
export declare function compareOutput(printed: string, expected: string, opts?: { tolerance?: number }): string | null;
