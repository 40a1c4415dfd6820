/** The stand-in's Flex agent desktop (/flex), hosting the kit's Flex plugin. */
export { flexDesktopRoutes, FLEX_PLUGIN_FILE, type FlexDesktopOptions } from './routes.js';
