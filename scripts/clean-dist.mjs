// Empties dist/ before a build, so a pack from a working checkout never ships files whose sources
// are gone (an old module importing a package that is no longer a dependency, say).
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
