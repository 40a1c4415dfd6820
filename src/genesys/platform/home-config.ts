import platformClient from 'purecloud-platform-client-v2';

type SdkClient = platformClient.ApiClientClass;

/**
 * The SDK's Configuration reads `~/.genesyscloudjavascript/config` in its constructor (so during
 * `new ApiClientClass()`) and, unless that file says otherwise, watches it and re-applies it on every
 * change. The file can redirect every request (`[general] host`, `[gateway]`), turn on request and
 * response body logging to the console or a file (`[logging]`) and change token refresh
 * (`[reauthentication]`). The kit takes its settings from its own config only, so right after
 * construction this undoes whatever the file set; the caller then sets environment or gateway.
 *
 * What cannot be undone: the file is read once, and a `log_file_path` in it is opened (created
 * empty) by winston during construction. A file that is neither INI nor JSON makes the SDK throw
 * from its constructor — and already when the package is first imported.
 */
export function ignoreHomeConfig(sdk: SdkClient): void {
  const config = sdk.config;
  // An empty path unwatches the file and keeps liveLoadConfig from reading it again.
  config.setConfigPath('');
  config.live_reload_config = false;
  config.config = undefined;
  config.host = undefined as unknown as string;
  // The kit has no refresh token (client credentials); it re-logs in itself.
  config.refresh_access_token = false;
  quietSdkLogger(config.logger);
}

interface WinstonLike {
  close?: () => void;
  transports?: unknown[];
}

/** Closes whatever transports the file opened and leaves the SDK's own logger with none. */
function quietSdkLogger(logger: platformClient.Logger): void {
  const winston = (logger as unknown as { logger?: WinstonLike }).logger;
  winston?.close?.();
  logger.log_level = 'none';
  logger.log_format = 'text';
  logger.log_to_console = false;
  logger.log_file_path = '';
  logger.log_request_body = false;
  logger.log_response_body = false;
  // Rebuilds winston with no transport: the SDK's logger.log() then writes nothing at all.
  logger.setLogger();
}

/**
 * Importing the SDK creates its singleton ApiClient, whose Configuration also watches the home config
 * file. The kit never uses that singleton, but its watcher re-parses the file on every change and a
 * half-written JSON file would then throw from a timer callback and end the process. Stop watching
 * (idempotent: an empty path is a no-op the second time).
 */
export function stopSingletonConfigWatch(): void {
  platformClient.ApiClient.config.setConfigPath('');
}
