// Read by `twilio flex:plugins:start` (Twilio's local Flex shell), as in Twilio's plugin template.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
var appConfig = {
  pluginService: { enabled: true, url: '/plugins' },
  logLevel: 'info',
};
