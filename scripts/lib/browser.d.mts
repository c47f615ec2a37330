// Types of scripts/lib/browser.mjs (the Chromium path, flags and launch, and the one static server),
// so the TypeScript tests can import it under `strict`.
import type { Browser } from 'puppeteer';

/** Debian's Chromium, /usr/bin/chromium. */
export declare const CHROMIUM: string;
/** --no-sandbox --enable-unsafe-webgpu --disable-background-networking --disable-component-update --disable-sync --no-first-run */
export declare const CHROMIUM_FLAGS: readonly string[];
/** What to do when Chromium is missing (names scripts/setup-system.sh). */
export declare const SETUP_HINT: string;
/** Extension (with the dot) → content type; files of other types are not served. */
export declare const CONTENT_TYPES: Readonly<Record<string, string>>;

export interface LaunchChromiumOptions {
  /** Flags after CHROMIUM_FLAGS. */
  extraFlags?: readonly string[];
  /** The longest one DevTools call may take, ms (puppeteer's default: 180 s). */
  protocolTimeout?: number;
  /** For the launch itself, ms (default 90 s). */
  timeout?: number;
}

/** Headless Chromium with CHROMIUM_FLAGS and a fresh temporary profile, removed on close(). Throws naming scripts/setup-system.sh when Chromium is missing. */
export declare function launchChromium(opts?: LaunchChromiumOptions): Promise<Browser>;

export interface StaticServerOptions {
  /** [urlPrefix, dir]: prefixes start and end with '/', the longest match wins; nothing outside a dir is served. */
  mounts: ReadonlyArray<readonly [string, string]>;
  /** Exact URL paths served as HTML from memory, e.g. { '/': '<!doctype html>…' }. */
  pages?: Readonly<Record<string, string>>;
  /** Added to every response (e.g. COOP/COEP). */
  headers?: Readonly<Record<string, string>>;
  /** The body of a file instead of its bytes (undefined: serve it as it is; a throw: 404). */
  transform?: (file: string, urlPath: string) => string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>;
  /** Extension → content type (default CONTENT_TYPES). */
  types?: Readonly<Record<string, string>>;
  /** A hint appended to a 404's text. */
  notFoundHint?: (urlPath: string) => string | undefined;
  /** Default 0: a free port. */
  port?: number;
}

export interface StaticServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A static server on 127.0.0.1: GET and HEAD only, no-store, only the mounts' files of known types, 404 otherwise. */
export declare function startStaticServer(opts: StaticServerOptions): Promise<StaticServer>;
