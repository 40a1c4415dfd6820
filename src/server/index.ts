/** The hosted token backend (`daspeak-genesys serve`): token proxy, credential store API, widget files. */
export { createApp, type AppDeps, type BackendApp } from './app.js';
export { startServer, type RunningServer, type StartServerDeps } from './server.js';
export { ApiError, errorBody, type ErrorBody } from './errors.js';
export { systemClock, type Clock } from './clock.js';
export { genesysOrigins, type GenesysOrigins } from './genesys/origins.js';
export { renderConfigJs, widgetConfig, type WidgetConfig } from './widget/config-js.js';
export { BUNDLE_FILE, DEFAULT_WIDGET_DIR } from './widget/files.js';
export { API_KEY_HEADER, matchApiKey } from './auth/api-key.js';
export { CONVERSATION_HEADER } from './auth/caller.js';
export type { ServerMetrics } from './metrics.js';
