// Types of test/consumer/readmeBlocks.mjs, for test/consumer/readmeBlocks.test.ts under `strict`.

/** A fenced block after a `<!-- consumer-test: PATH [prints] -->` marker; line: the marker's, from 1. */
export interface ReadmeBlock {
  path: string;
  prints: boolean;
  lang: string;
  text: string;
  line: number;
}

/** The keys ("PATH" or "PATH prints") scripts/consumer-test.mjs runs. */
export declare const CONSUMER_BLOCKS: readonly string[];

/** The marked blocks, in order; throws on a malformed, unsafe, repeated or blockless marker, or an unclosed fence. */
export declare function extractBlocks(markdown: string, where?: string): ReadmeBlock[];

/** The blocks by key; throws one line naming every missing key, or any marked block not in `keys`. */
export declare function requireBlocks(blocks: ReadmeBlock[], keys: readonly string[], where?: string): Map<string, ReadmeBlock>;
