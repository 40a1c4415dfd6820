import { InvalidArgumentError } from 'commander';

/** Commander parsers shared by commands. */
export function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('give a port from 0 to 65535');
  return port;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('give a whole number above 0');
  return n;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 64) throw new InvalidArgumentError('give a whole number from 0 to 64');
  return n;
}

/** A duration in seconds above 0 (decimals allowed), e.g. `--request-timeout 2.5`. */
export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 3600)
    throw new InvalidArgumentError('give a number of seconds above 0, at most 3600');
  return n;
}
