/**
 * Runs the CLI from source in a child process (`node --import tsx test/simulate/run-cli.ts …`), for
 * the one test that needs a real process: Ctrl-C (SIGINT) handling.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
