/**
 * Errors the library throws on purpose. Every message names the argument, what was expected and
 * what was received (DESIGN.md section 5); the CLI prints the message as its one line on stderr.
 */

/** Bad input from the caller: shapes, values, files, options. CLI exit status 1. */
export class InputError extends Error {
  /** Always 'InputError' (what String(err) prints); compare it where instanceof cannot, e.g. across two copies of the package. */
  override name = 'InputError';
}

/** A wrong command line (unknown flag or command, missing value). CLI exit status 2. */
export class UsageError extends Error {
  /** Always 'UsageError' (what String(err) prints); compare it where instanceof cannot. */
  override name = 'UsageError';
}

/** A failure at run time that is not the caller's input (no adapter, device lost, …). Exit 1. */
export class RuntimeFailure extends Error {
  /** Always 'RuntimeFailure' (what String(err) prints); compare it where instanceof cannot. */
  override name = 'RuntimeFailure';
}
